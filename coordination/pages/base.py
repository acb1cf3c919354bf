"""What every page view shares: who may open staff pages, running a service behind a form, and
paging."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cases.paging import WindowCountPaginator
from coordination.pages.context import current_memberships
from core.errors import ApplicationError, ConflictError

T = TypeVar("T")
View = Callable[..., HttpResponse]

PAGE_SIZE = 25


def methods(*names: str) -> Callable[[View], View]:
    """The HTTP methods a page answers (others get 405), kept on the view for the permission
    matrix test."""

    def decorate(view: View) -> View:
        wrapped = require_http_methods([name.upper() for name in names])(view)
        wrapped.http_methods = names  # type: ignore[attr-defined]
        return wrapped

    return decorate


def staff_required(view: View) -> View:
    """Logged in and a current member of a service; everything else is up to the access policy
    (a member of a service without youths simply sees none)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not current_memberships(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def run(form: forms.Form, call: Callable[[], T], *, also: Sequence[forms.Form] = ()) -> T | None:
    """Run one service call (itself one transaction) for a valid form. A refusal becomes form
    errors on the fields it names, so the page shows it next to the field (on the form of
    ``also`` that has the field, for a page of several forms); None on refusal."""

    def _add(_form: forms.Form, field: str | None, message: Any) -> None:
        owner = next((f for f in (form, *also) if field in f.fields), None)
        (owner or form).add_error(field if owner is not None else None, str(message))

    try:
        return call()
    except ConflictError:
        form.stale = True  # type: ignore[attr-defined]
        form.add_error(
            None,
            _("Noen andre har endret dette i mellomtiden. Last siden på nytt og prøv igjen."),
        )
    except ApplicationError as exc:
        if exc.fields:
            for name, message in exc.fields.items():
                _add(form, name, message)
        else:
            form.add_error(None, str(exc.message))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for error in errors:
                    _add(form, name, error.messages[0])
        else:
            for message in exc.messages:
                form.add_error(None, message)
    return None


def run_action(request: HttpRequest, call: Callable[[], T], done: Any) -> T | None:
    """A button without fields (accept, approve, withdraw): the outcome as a message."""
    form = forms.Form({})
    form.is_valid()  # an empty form, so refusals can be added to it
    result = run(form, call)
    if result is None:
        for error in form.non_field_errors() or [
            e for errors in form.errors.values() for e in errors
        ]:
            messages.error(request, str(error))
    else:
        messages.success(request, done)
    return result


def paginate(request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE) -> Page:
    """A page of results; a page number out of range shows the last page."""
    return WindowCountPaginator(queryset, per_page).get_page(request.GET.get("page"))
