-- An invariant of the code: a reconciliation row compares two values and says whether they agree.
select system_code, park_name, year, indicator_name
from {{ ref('reconciliation') }}
where reported_value is null or computed_value is null or within_tolerance is null
