-- Invariants of the code (docs/domain.md#plans): progress is (latest − base) / (target − base)
-- wherever it is given; an achieved target has an actual; no reader sees more than 100 % beside
-- 进度滞后 (behind) or less than 0 beside 已达目标 (achieved).
select park_name, plan_name, indicator_name, status, base_value, latest_value, target_value, progress
from {{ ref('plan_progress') }}
where (progress is not null and (latest_value is null or base_value is null or target_value is null
                                 or target_value = base_value
                                 or abs(progress - (latest_value - base_value) / (target_value - base_value)) > 1e-9))
   or (status = 'achieved' and latest_value is null)
   or (status = 'behind' and progress > 1 + 1e-9)
   or (status = 'achieved' and progress < -1e-9)
