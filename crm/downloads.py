"""Files in and out of the browser: uploads read within the attachment limit, downloads never shown inline."""

from urllib.parse import quote

from flask import Response, request


def uploaded_file(limit):
    """(bytes, filename) of the form's file, read at most one byte past the limit; None when no file was chosen."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return upload.read(limit + 1), upload.filename


def as_download(data, content_type, filename):
    """A response the browser saves as a file (the CSP and nosniff headers come on top)."""
    return Response(data, mimetype=content_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
