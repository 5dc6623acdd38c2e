"""Blocks: time off for therapists and rooms, and clinic closures."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .. import services
from ..errors import BlockConflict
from ..filters import BlockFilter
from ..models import Block, Clinic, Room, Therapist
from ..selectors import (
    Access,
    access_for,
    blocks_visible_to,
    bookings_visible_to,
    clinic_ids_of_block,
)
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
        clinic, therapist, room = values.get("clinic"), values.get("therapist"), values.get("room")
        if not _may_block(access_for(request), clinic=clinic, therapist=therapist, room=room):
            raise PermissionDenied(
                "Only reception or admins of that clinic may block time, and only for its own "
                "rooms and therapists."
            )
        try:
            block = services.block_time(
                start=values["start"],
                end=values["end"],
                clinic=clinic,
                therapist=therapist,
                room=room,
                reason=values.get("reason", ""),
                created_by=request.user,
            )
        except BlockConflict as conflict:
            raise _visible_conflict(conflict, request.user) from conflict
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        access = access_for(self.request)
        if not any(access.manages(cid) for cid in clinic_ids_of_block(instance)):
            raise PermissionDenied("Only reception or admins of that clinic may remove a block.")
        instance.delete()


def _may_block(
    access: Access, *, clinic: Clinic | None, therapist: Therapist | None, room: Room | None
) -> bool:
    """Every resource a block names must belong to a clinic the caller runs: the clinic itself,
    the room's clinic, and one of the therapist's clinics (the one named, if a clinic is)."""
    if clinic is not None and not access.manages(clinic.pk):
        return False
    if room is not None and (
        not access.manages(room.clinic_id) or (clinic is not None and room.clinic_id != clinic.pk)
    ):
        return False
    if therapist is not None:
        their_clinics = [c.pk for c in therapist.clinics.all()]
        if clinic is not None:
            return clinic.pk in their_clinics
        return any(access.manages(clinic_id) for clinic_id in their_clinics)
    if clinic is None and room is None:
        # Nothing named: the service answers 400 "say what to block", to staff only.
        return access.is_staff_anywhere
    return True


def _visible_conflict(conflict: BlockConflict, user) -> BlockConflict:
    """The same refusal, listing only the clashing bookings the caller may see: a therapist who
    also works elsewhere must not reveal the other clinic's bookings."""
    clash_ids = conflict.details.get("bookings", [])
    visible = list(
        bookings_visible_to(user)
        .filter(pk__in=clash_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    elsewhere = len(clash_ids) - len(visible)
    message = f"{len(visible)} booking(s) fall in that time; move or cancel them first."
    if elsewhere:
        message = (
            f"{len(visible)} booking(s) here and {elsewhere} at another clinic fall in that "
            "time; they must be moved or cancelled first."
        )
    return BlockConflict(message, details={"bookings": visible})
