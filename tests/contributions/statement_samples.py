"""Bank statements written for the tests: a camt.053 file and two banks' CSV layouts."""

CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2031-03-01T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>1</Id><Acct><Id><IBAN>DK5012340012345678</IBAN></Id></Acct>
"""
CAMT_TAIL = "</Stmt></BkToCstmrStmt></Document>\n"


def camt_entry(ref, amount, booked, *, payer="", text="", creditor_ref="", debit=False):
    """One <Ntry> with one transaction."""
    reference = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Prtry>71</Prtry></CdOrPrtry></Tp><Ref>{creditor_ref}</Ref>"
                 f"</CdtrRefInf></Strd>") if creditor_ref else ""
    return f"""<Ntry><Amt Ccy="DKK">{amount}</Amt><CdtDbtInd>{'DBIT' if debit else 'CRDT'}</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>
<RmtInf>{f'<Ustrd>{text}</Ustrd>' if text else ''}{reference}</RmtInf></TxDtls></NtryDtls></Ntry>
"""


def camt(*entries):
    return (CAMT_HEAD + "".join(entries) + CAMT_TAIL).encode()
