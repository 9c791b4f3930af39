"""The read-only open-data API (`/api/v1/`): published content only, no personal data."""
