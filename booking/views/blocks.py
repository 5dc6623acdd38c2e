"""Blocks: time off for therapists and rooms, and clinic closures."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .. import services
from ..filters import BlockFilter
from ..models import Block
from ..selectors import access_for, block_clinic_ids, blocks_visible_to, clinic_ids_of_block
from ..serializers import BlockSerializer
from .common import CONFLICT, ERRORS


class BlockViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Time off and blocks for therapists and rooms, and clinic closures. Reception manages them."""

    queryset = Block.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = BlockSerializer
    filterset_class = BlockFilter
    ordering_fields = ["start"]

    def get_queryset(self):
        return blocks_visible_to(self.request.user)

    @extend_schema(responses={201: BlockSerializer, **ERRORS, **CONFLICT})
    def create(self, request, *args, **kwargs):
        data = BlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        therapist = values.get("therapist")
        clinic_ids = block_clinic_ids(
            clinic_id=values["clinic"].pk if values.get("clinic") else None,
            room=values.get("room"),
            therapist=therapist,
        )
        access = access_for(request)
        if not any(access.manages(clinic_id) for clinic_id in clinic_ids):
            raise PermissionDenied("Only reception or admins of that clinic may block time.")
        block = services.block_time(
            start=values["start"],
            end=values["end"],
            clinic=values.get("clinic"),
            therapist=therapist,
            room=values.get("room"),
            reason=values.get("reason", ""),
            created_by=request.user,
        )
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        access = access_for(self.request)
        if not any(access.manages(cid) for cid in clinic_ids_of_block(instance)):
            raise PermissionDenied("Only reception or admins of that clinic may remove a block.")
        instance.delete()
