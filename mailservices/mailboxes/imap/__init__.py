"""The IMAP import engine: a pure core (no ORM) that copies one mailbox into another.

`connection.py` connects (ssl, starttls, none only to 127.0.0.1) and maps failures to clear
errors; `folders.py` lists and maps folders (modified UTF-7, hierarchy, special use);
`engine.py` previews and copies (flags, dates, resumable, idempotent).
"""
