-- An invariant of the code (docs/domain.md#targets): a qualitative target is published, never judged.
select park_name, year, indicator_name, target_kind, met
from {{ ref('target_tracking') }}
where target_kind = 'qualitative' and met is not null
