"""The DRF side of the "validate 5,000 events" measurement (bench_api.bench_validation): the serializers a
DRF-only API would validate an event batch with, checking what `clienteling.ingest.EventIn` checks. The API
itself validates with msgspec and publishes EventIn's schema; these live here, beside the figure they produce.
"""

from __future__ import annotations

from rest_framework import serializers

from clienteling.models import Channel, EventType


class EventInSerializer(serializers.Serializer):
    event_id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=EventType.choices)
    occurred_at = serializers.DateTimeField()
    session_id = serializers.CharField(max_length=100)
    customer_external_id = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    sku = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    query = serializers.CharField(max_length=200, required=False, allow_null=True, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    device = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)

    def validate_occurred_at(self, value):
        if value.utcoffset() is None:
            raise serializers.ValidationError("Give the offset.")
        return value


class EventBatchSerializer(serializers.Serializer):
    events = EventInSerializer(many=True, max_length=5000)
