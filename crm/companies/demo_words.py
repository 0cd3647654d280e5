"""The words and proportions the demo network is made of: streets, trades, names, titles, tags and texts."""

from datetime import date

from crm.companies.models import ActivityKind

STREETS = ("Hammerholmen", "Jernholmen", "Stamholmen", "Stenholmen", "Kystholmen", "Avedøreholmen")
POSTAL_CODE = "2650"
CITY = "Hvidovre"
CADASTRAL_DISTRICT = "Avedøre By, Avedøre"

#: Industry -> the trade words that make a company name in it.
TRADES = {
    "Transport og logistik": ("Transport", "Vognmandsforretning", "Logistik", "Spedition", "Kurérservice",
                              "Lagerhotel", "Flytteforretning"),
    "Fødevareproduktion": ("Bageri", "Fødevarer", "Pølsemageri", "Kaffebrænderi", "Konditori", "Catering",
                           "Fiskeeksport", "Grønt"),
    "Metalindustri": ("Stål", "Maskinfabrik", "Smedie", "Metal", "Svejseværksted", "Pladeværksted", "Værktøj",
                      "Stålkonstruktion"),
    "Affald og genanvendelse": ("Genbrug", "Genanvendelse", "Affaldsservice", "Containerservice", "Skrot",
                                "Miljøservice"),
    "Bygge og anlæg": ("Byg", "Entreprise", "Tømrer og Snedker", "Murerfirma", "Anlæg", "Betonelementer",
                       "Stilladser", "VVS"),
    "Engroshandel": ("Engros", "Import", "Handelshus", "Grossistforretning", "Trælast", "Farvehandel"),
    "Rengøring": ("Rengøring", "Facility Service", "Vinduespolering", "Erhvervsrengøring"),
    "IT og rådgivning": ("IT", "Data", "Rådgivning", "Software", "Ingeniørfirma", "Consult"),
    "Plast og emballage": ("Plast", "Emballage", "Plastindustri", "Folie", "Kartonnage"),
    "Auto og værksted": ("Autoværksted", "Autolakering", "Dækservice", "Lastbilservice"),
    "El og automation": ("El-service", "Elektro", "Automatik", "El-installation"),
}
INDUSTRY_WEIGHTS = (16, 12, 12, 7, 14, 10, 6, 7, 6, 5, 5)
#: Some landowners only own and let: they get this industry.
PROPERTY_INDUSTRY = "Ejendomsudlejning"
PROPERTY_TRADES = ("Ejendomme", "Ejendomsselskab", "Erhvervsejendomme", "Invest")

PLACES = ("Holmens", "Avedøre", "Hvidovre", "Stenholm", "Hammerholm", "Jernholm", "Kystholm", "Stamholm",
          "Nordisk", "Dansk", "Skandinavisk", "Sjællands", "Vestegnens", "Køge Bugt", "Øresunds", "Søholm",
          "Sønderby", "Brøndby", "Strandens", "Kalvebod")
SURNAMES = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
            "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Mørch",
            "Kjær", "Bæk", "Søndergaard", "Møller", "Lund", "Holm", "Dahl", "Frederiksen", "Schmidt",
            "Østergaard", "Grøn", "Brøndum", "Skov", "Søgaard", "Damgaard", "Bøgh", "Lykke", "Høj", "Krogh",
            "Friis", "Kjærgaard", "Blæsbjerg", "Ærenlund")
FIRST_NAMES = ("Mette", "Søren", "Jens", "Anne", "Lars", "Hanne", "Bjørn", "Åse", "Kirsten", "Thomas", "Mads",
               "Louise", "Peter", "Camilla", "Henrik", "Birgitte", "Jørgen", "Susanne", "Rasmus", "Pernille",
               "Mikkel", "Line", "Niels", "Tove", "Frederik", "Ida", "Kasper", "Signe", "Morten", "Karen",
               "Øjvind", "Gitte", "Ulrik", "Vibeke", "Christian", "Helle", "Jesper", "Marianne", "Torben", "Sanne")
LEGAL_FORMS = ("ApS", "A/S", "I/S")
LEGAL_FORM_WEIGHTS = (55, 35, 10)
PRIMARY_TITLES = ("Direktør", "Indehaver", "Administrerende direktør")
OTHER_TITLES = ("Driftschef", "Miljøkoordinator", "Økonomiansvarlig", "Produktionschef", "Kontorchef",
                "HR-ansvarlig", "Bogholder", "Salgschef", "Lagerchef")
#: Tag -> the share of members that carry it (natur: 19 of 394 companies set land aside for nature).
TAG_SHARES = {"nyhedsbrev": 0.45, "affald": 0.20, "energi": 0.15, "vand": 0.08, "kommunikation": 0.06,
              "natur": 0.05, "bestyrelse": 0.03}
DESCRIPTIONS = (
    "Familieejet virksomhed på Avedøre Holme siden {year}.",
    "Har produktion og lager på Avedøre Holme.",
    "Del af en større koncern; afdelingen på Holmen har {employees} ansatte.",
    "Interesseret i fælles indkøb af grøn energi.",
    "Vil gerne i kontakt med naboer om deling af overskudsmaterialer.",
    "Flyttede til Avedøre Holme i {year} fra lokaler i København.",
)
ACTIVITY_TEXTS = {
    ActivityKind.NOTE: (
        "Interesseret i den fælles affaldsordning.",
        "Spørger til deling af overskudsvarme med naboerne.",
        "Ny kontaktperson; kontaktoplysninger opdateret.",
        "Overvejer at afsætte en del af grunden til vild natur.",
        "Ønsker invitation til næste netværksmøde.",
        "Har materialer til byttecentralen: paller og emballage.",
    ),
    ActivityKind.CALL: (
        "Ringede til {name} om kontingentet for næste år.",
        "Opkald fra {name}: spørgsmål om opsamling af regnvand.",
        "Talte med {name} om energigruppens solcelleprojekt.",
        "Ringede til {name} om tilmelding til netværksmødet.",
    ),
    ActivityKind.VISIT: (
        "Besøg hos {name} på {street}: rundvisning i produktionen.",
        "Virksomhedsbesøg med erhvervsteamet; drøftede energisamarbejde.",
        "Besøgte {name} og så på pladsen til en fælles container.",
    ),
}
ACTIVITY_KIND_WEIGHTS = (50, 30, 20)
CONSENT_TEXT_VERSION = "2024-1"
CONSENT_FROM = date(2024, 1, 1)
