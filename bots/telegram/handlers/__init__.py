"""One router per feature; `app.create_dispatcher` includes them in order."""
