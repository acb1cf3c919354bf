"""The youth's copy of everything held about them (GDPR art. 15): the sections
(``sections``), the copy as JSON and PDF (``copy``), the download (``downloads``) and the privacy
officer's answer to a request made on paper (``requests``)."""
