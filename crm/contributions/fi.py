"""The FI payment line on an invoice ("+71<payment id+creditor number<") and reading a payment id back.

Payment type 71 carries a 15-digit payment id: 14 digits and a modulus-10 check digit. The 14 digits are weighted
2, 1, 2, 1, ... from the right (the Luhn scheme), a product of two digits counts as the sum of its digits, and the
check digit brings the sum up to a multiple of ten. Published example, Jonas B. Nielsen's Business::DK::FI
(CPAN, github.com/jonasbn/bdkfi, its SYNOPSIS): "026840149965328" is valid and the id generated from 1 is
"000000000000018" (1 × 2 = 2, and 10 - 2 = 8).

The payment id is the invoice's year (4 digits) and its number (10 digits, zero-padded), so a payment that comes
back with it names exactly one invoice: 2031-7 has the id 2031 0000000007 and its check digit.
"""

import re

PAYMENT_TYPE = "71"
ID_DIGITS = 15
NUMBER_DIGITS = 10
_PAYMENT_ID = re.compile(r"(?<!\d)(\d{15})(?!\d)")


def check_digit(digits):
    """The modulus-10 check digit of a string of digits (weights 2, 1, 2, ... from the right)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def payment_id(year, invoice_number):
    """The 15-digit payment id of invoice `year`-`invoice_number`, its check digit last."""
    if not 0 < invoice_number < 10 ** NUMBER_DIGITS or not 1000 <= year <= 9999:
        raise ValueError(f"no payment id for invoice {year}-{invoice_number}")
    digits = f"{year:04d}{invoice_number:0{NUMBER_DIGITS}d}"
    return digits + check_digit(digits)


def payment_line(year, invoice_number, creditor_number):
    """The FI line printed on the invoice: +71<payment id+creditor number<."""
    return f"+{PAYMENT_TYPE}<{payment_id(year, invoice_number)}+{creditor_number}<"


def invoice_of(payment_id_text):
    """(year, invoice number) of a payment id whose check digit is right; None for anything else."""
    digits = re.sub(r"\s", "", payment_id_text or "")
    if len(digits) != ID_DIGITS or not digits.isdigit() or check_digit(digits[:-1]) != digits[-1]:
        return None
    year, number = int(digits[:4]), int(digits[4:-1])
    return (year, number) if number else None


def find_invoice(text):
    """(year, invoice number) of the first valid payment id written in a text (a bank's reference field)."""
    for candidate in _PAYMENT_ID.findall(text or ""):
        found = invoice_of(candidate)
        if found:
            return found
    return None
