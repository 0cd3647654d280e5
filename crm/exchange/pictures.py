"""A listing's pictures: checked by their content with Pillow, turned upright, resized and written anew, so no
EXIF or other metadata (a phone's GPS position, the camera's serial number) leaves with them."""

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PICTURES = 5
MAX_PICTURE_BYTES = 10 * 1024 * 1024
#: The longest side of a stored picture, in pixels.
MAX_SIDE = 1600
#: Larger images are refused before they are decoded (a small file can unpack to gigabytes).
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class PictureRefused(ValueError):
    """The upload is not a picture the listing can show; str() says why in Danish."""


def prepare_picture(data):
    """(bytes, content type, width, height) of the picture as stored; PictureRefused if it is none."""
    if not data:
        raise PictureRefused(_l("Filen er tom. Vælg et billede."))
    if len(data) > MAX_PICTURE_BYTES:
        raise PictureRefused(_l("Billedet er for stort. Et billede må højst fylde %(limit)d MB.",
                                limit=MAX_PICTURE_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS or image.width * image.height > MAX_PIXELS:
                raise PictureRefused(_l("Filen kan ikke bruges som billede. Du kan bruge JPEG, PNG og WebP."))
            image.load()
            image = ImageOps.exif_transpose(image)
    except PictureRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as error:
        raise PictureRefused(_l("Filen kan ikke bruges som billede. Du kan bruge JPEG, PNG og WebP.")) from error
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    if transparent:
        image.convert("RGBA").save(out, "PNG", optimize=True)
        content_type = "image/png"
    else:
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    return out.getvalue(), content_type, image.width, image.height
