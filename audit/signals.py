"""Hooks that feed the trail: audit columns on each historical row, the channel of Celery tasks."""

from __future__ import annotations

from celery.signals import task_postrun, task_prerun
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from .context import _channel
from .history import REGISTRY, describe
from .models import AuditChannel

_task_tokens: dict[str, object] = {}


@receiver(pre_create_historical_record)
def _describe_change(sender, instance, history_instance, **kwargs) -> None:
    if sender in REGISTRY:
        describe(history_instance, instance)


@task_prerun.connect
def _task_channel(task_id=None, **kwargs) -> None:
    _task_tokens[task_id] = _channel.set(AuditChannel.TASK)


@task_postrun.connect
def _task_channel_done(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _channel.reset(token)
