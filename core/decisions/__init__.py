"""The decision log (see ``core.decisions.service``)."""
