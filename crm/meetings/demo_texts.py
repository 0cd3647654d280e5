"""The words of the demo meetings: places, agenda items with their minutes and decisions, action items."""

PLACES = (
    "Hvidovre Rådhus, mødesal 1",
    "Avedøre Holme Erhvervscenter, Avedøreholmen 84",
    "Kantinen hos Holme Logistik, Stamholmen 151",
    "Det gamle pumpehus, Avedøre Holme",
)

#: (title, minutes in Markdown, decisions)
NETWORK_TOPICS = (
    ("Velkomst og nyt fra kommunen",
     "Erhvervsteamet orienterede om vejarbejdet på Avedøreholmen og den nye busrute til S-toget.",
     "Orienteringen blev taget til efterretning."),
    ("Fælles affaldsordning",
     "Affaldsgruppen fremlagde årets tal. Flere virksomheder ønsker at komme med i ordningen.",
     "Gruppen inviterer nye virksomheder til et informationsmøde."),
    ("Grøn omstilling: energitjek",
     "Kommunens energirådgiver tilbyder et gratis energitjek. **Tilmelding** via portalen.",
     "Netværket anbefaler energitjekket til alle medlemmer."),
    ("Trafik og parkering",
     "Lastbilparkering langs Stamholmen skaber problemer om morgenen. Kommunen undersøger muligheder.",
     ""),
    ("Vild natur på Holmen",
     "Naturgruppen viste artstællingen: 105 arter på 100 m² mod 2 på græsplænen ved siden af.",
     "Netværket støtter, at flere arealer lægges ud til vild natur."),
    ("Rekruttering og praktikpladser",
     "Jobcentret fortalte om virksomhedspraktik og løntilskud. Tre virksomheder meldte interesse.",
     ""),
    ("Sikkerhed og tryghed i området",
     "Politiet orienterede om indbrud i området. Netværket drøftede fælles vagtordning.",
     "Erhvervsteamet indhenter tilbud på fælles vagtordning."),
    ("Bidrag og regnskab",
     "Regnskabet blev gennemgået. Bidragsmodellen efter antal ansatte fortsætter uændret.",
     "Regnskabet blev godkendt."),
    ("Netværkets nyhedsbrev",
     "Kommunikationsgruppen efterlyser historier fra virksomhederne til næste udgave.",
     ""),
    ("Eventuelt", "Intet under eventuelt.", ""),
)

GROUP_TOPICS = (
    ("Status på initiativet", "Gruppen gennemgik status. Arbejdet følger planen.", ""),
    ("Tal til netværksmødet", "Gruppen samlede årets tal til næste netværksmøde.",
     "Formanden fremlægger tallene."),
    ("Nye medlemmer", "To virksomheder har vist interesse for at deltage i gruppen.",
     "Formanden kontakter dem."),
    ("Næste skridt", "Gruppen aftalte de næste skridt og fordelte opgaverne.", ""),
)

ACTIONS = (
    "Send tilbud på fælles vagtordning rundt",
    "Indkald til informationsmøde om affaldsordningen",
    "Saml tilmeldinger til energitjek",
    "Undersøg muligheder for lastbilparkering",
    "Skriv historie til nyhedsbrevet",
    "Kontakt jobcentret om praktikpladser",
    "Opdatér oversigten over arealer til vild natur",
    "Book lokale til næste møde",
    "Del præsentationen i portalen",
    "Indhent tal fra vognmanden",
)
