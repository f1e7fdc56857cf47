def decode_text_file(data):
    """Bytes of an uploaded text file -> str, or None when it is not text. UTF-8 first (with
    or without a BOM); files saved on Chinese Windows are often GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
