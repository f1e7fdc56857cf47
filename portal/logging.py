"""Logs never carry client addresses: a reporter must not be traceable through them."""

import logging
import re

# IPv4, and IPv6 written with "::" or in full (five or more groups), so that clock times such
# as 12:00:00 are left alone.
ADDRESS = re.compile(
    r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
    r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){5,7}[0-9A-Fa-f]{1,4}(?!\w)"
    r"|(?<![\w:])[0-9A-Fa-f:]*::[0-9A-Fa-f:]*[0-9A-Fa-f](?!\w)"
)


def redact(text):
    return ADDRESS.sub("[address]", text)


class RedactAddresses(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
