"""QR codes drawn as SVG, PNG or vector squares on a PDF page: a poster's short URL, an
authenticator app's enrolment key, a certificate's verification address."""

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
# The quiet zone the standard asks for, in modules.
BORDER = 4


def _code(data, level):
    code = qrcode.QRCode(error_correction=LEVELS[level], border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def matrix(data, level):
    """The modules of the code, quiet zone included, as rows of booleans."""
    return _code(data, level).get_matrix()


def svg(data, size, level):
    modules = matrix(data, level)
    count = len(modules)
    # One path of unit squares on a white ground: crisp at any scale, and plain black and
    # white for any printer.
    squares = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(modules) for x, dark in enumerate(row) if dark
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {count} {count}" shape-rendering="crispEdges">'
        f'<rect width="{count}" height="{count}" fill="#fff"/>'
        f'<path d="{squares}" fill="#000"/></svg>\n'
    )


def png(data, size, level):
    """A PNG at least `size` pixels wide (by less than a module's width more): whole
    pixels per module, so no module is blurred."""
    code = _code(data, level)
    count = code.modules_count + 2 * BORDER
    code.box_size = -(-size // count)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def draw(canvas, data, level, *, left, top, side):
    """The code on a reportlab canvas, `side` points wide with its top left corner at
    (left, top), in the canvas's fill colour: vector squares print sharp at any size."""
    modules = matrix(data, level)
    cell = side / len(modules)
    for row_number, row in enumerate(modules):
        for column, dark in enumerate(row):
            if dark:
                canvas.rect(
                    left + column * cell,
                    top - (row_number + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )
