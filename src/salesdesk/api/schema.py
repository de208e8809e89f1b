"""OpenAPI: every operation documents its error responses in the one error shape."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .errors import ErrorSerializer


class AutoSchema(BaseAutoSchema):
    def get_response_serializers(self):
        base = super().get_response_serializers()
        responses = base
        if not isinstance(responses, dict):
            ok = "201" if self.method == "POST" else "200"
            if self.method == "DELETE":
                ok = "204"
            responses = {ok: responses}
        error = OpenApiResponse(
            ErrorSerializer, description="Error: one entry per field and problem"
        )
        extra = {"401": error, "403": error, "404": error}
        if self.method in ("POST", "PUT", "PATCH"):
            extra["400"] = error
        if self.method == "GET" and self._is_list_view(base):
            extra.pop("404")
            extra["404"] = OpenApiResponse(ErrorSerializer, description="Page out of range")
        for code, response in extra.items():
            responses.setdefault(code, response)
        return responses
