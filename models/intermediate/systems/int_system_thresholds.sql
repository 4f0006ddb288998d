-- Threshold rules with their conditions: always; region_class (a park attribute); driver_growth
-- (the sign of the formula's denominator growth, e.g. value added); component_range (another figure
-- of the same park-year within [lower, upper)). Comparator 'none': no requirement for that case.
select
    system_code, indicator_code, condition, condition_value,
    cast(lower as double) as lower, cast(upper as double) as upper,
    comparator, cast(threshold as double) as threshold,
    nullif(pass_markers, '') as pass_markers, nullif(fail_markers, '') as fail_markers, source
from ({{ system_seeds('thresholds') }})
