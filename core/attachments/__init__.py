"""Attachments (photos, scans, signed forms, documents) stored per tenant with size and type limits;
never served across tenants. See :mod:`core.attachments.service`."""
