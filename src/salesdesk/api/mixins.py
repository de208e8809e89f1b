"""Pieces every module's viewsets share: list filters read from the query string, and the
archive/restore actions (nothing is deleted) that go through the module's services.

A viewset documents its own actions with extend_schema_view(archive=..., restore=...), so
each operation keeps its own summary in the schema.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class FilteredListMixin:
    """`list` filtered by the query parameters `filter_serializer_class` reads (a bad value is a
    400 naming it); the other actions get `detail_filters` (by default archived rows too)."""

    filter_serializer_class = None
    detail_filters: dict = {"archived": None}

    def query_filters(self) -> dict:
        if self.action != "list":
            return dict(self.detail_filters)
        params = self.filter_serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)


class RespondMixin:
    def respond(self, obj, code=status.HTTP_200_OK) -> Response:
        """The object as the viewset's serializer shows it."""
        return Response(self.get_serializer(obj).data, status=code)


class ArchiveMixin(RespondMixin):
    """POST <id>/archive/ through `archive_service(<entity>=obj, by=user)`."""

    entity = ""  # the services' keyword for the object: "product", "customer"
    archive_service = None

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        obj = type(self).archive_service(**{self.entity: self.get_object()}, by=request.user)
        return self.respond(obj)


class ArchiveRestoreMixin(ArchiveMixin):
    """Archive, and POST <id>/restore/ through `restore_service(<entity>=obj, by=user)`."""

    restore_service = None

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        obj = type(self).restore_service(**{self.entity: self.get_object()}, by=request.user)
        return self.respond(obj)


def archivable_schema(
    *, one: str, many: str, serializer, filters, archive: bool = True, restore: bool = True
):
    """extend_schema_view for a viewset of records that are archived, not deleted: the list with
    its filters, one record, enter, change, archive and (optionally) restore."""
    views = {
        "list": extend_schema(summary=f"List {many}", parameters=[filters]),
        "retrieve": extend_schema(summary=f"One {one}"),
        "update": extend_schema(summary=f"Change a {one}"),
        "partial_update": extend_schema(summary=f"Change some fields of a {one}"),
    }
    if archive:
        views["archive"] = extend_schema(
            request=None, responses=serializer, summary=f"Archive a {one}"
        )
    if restore:
        views["restore"] = extend_schema(
            request=None, responses=serializer, summary=f"Restore an archived {one}"
        )
    return extend_schema_view(**views)


class RecordViewSet(
    FilteredListMixin,
    RespondMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Records listed with filters, read, entered and changed; never deleted (add ArchiveMixin
    or ArchiveRestoreMixin for the archive actions)."""
