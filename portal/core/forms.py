"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_error(form: forms.Form, error: ValidationError, field: str | None = None) -> None:
    """Shows a service's ValidationError on the form that called the service.

    An error about a model field goes on the form field of that name if the form has it;
    anything else goes on `field` (None: the form as a whole). No message is dropped.
    """
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, error)
