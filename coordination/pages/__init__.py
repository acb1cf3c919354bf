"""Server-rendered pages for staff and for the youth, on the same selectors, services and access
policy as the API. Views validate a form, call one service, and redirect (post/redirect/get)."""
