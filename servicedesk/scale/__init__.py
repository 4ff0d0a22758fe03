"""Scale data: realistic volumes for benchmarks (``manage.py generate_scale_data``).

The command runs the generators listed in ``settings.SCALE_GENERATORS`` in order. A
generator is a function ``generate(ctx)`` in its app's ``scale.py``, decorated with
``@generator(fills=[Model, ...])`` to say which tables it fills (they are emptied first,
their secondary indexes are dropped during the load and recreated from their exact
definitions afterwards, then analysed). ``ctx`` (:class:`ScaleContext`) carries the size,
the seed, a random generator per app, the database connection, what earlier generators
made (``ctx.ids``, ``ctx.data``) and a progress reporter; ``ctx.copy``/``ctx.loader``
write rows with PostgreSQL ``COPY`` in streamed batches, so memory stays flat as N grows.

Generated data is not audit history: the pghistory triggers (and the foreign-key
triggers: the generators are trusted to reference what they made) are switched off for
the load with ``SET LOCAL session_replication_role = replica`` (superuser), or with
``ALTER TABLE … DISABLE TRIGGER USER`` otherwise. Unique and check constraints still hold.

The package: ``context`` (what a generator gets, COPY loading, progress), ``runner``
(checks, TRUNCATE, triggers, indexes, marker, VACUUM), ``fake`` (Chinese names, ID
numbers, mobiles, opening hours: shared by the apps) and ``core`` (the core's generator:
40 service points and 200 staff).
"""

from servicedesk.scale.context import (
    HISTORY_MONTHS,
    SHANGHAI,
    Loader,
    Progress,
    ScaleContext,
    ScaleError,
    generator,
)
from servicedesk.scale.core import STAFF, Point, generate
from servicedesk.scale.fake import (
    AffinePermutation,
    UniqueIdNumbers,
    business_time,
    chinese_name,
    id_number,
    mobile,
    organization_name,
    weighted_picker,
)
from servicedesk.scale.runner import (
    MARKER_TABLE,
    filled_models,
    foreign_data,
    generators,
    peak_rss_mb,
    read_marker,
    run,
)

__all__ = [
    "HISTORY_MONTHS", "MARKER_TABLE", "SHANGHAI", "STAFF", "AffinePermutation", "Loader",
    "Point", "Progress", "ScaleContext", "ScaleError", "UniqueIdNumbers", "business_time",
    "chinese_name", "filled_models", "foreign_data", "generate", "generator", "generators",
    "id_number", "mobile", "organization_name", "peak_rss_mb", "read_marker", "run",
    "weighted_picker",
]
