-- Threshold rules with their conditions: always; region_class (a park attribute); driver_growth
-- (the sign of the formula's denominator growth, e.g. value added); component_range (another figure
-- of the same park-year within [lower, upper)); dominant_industry (one industry dominates the park:
-- the row's comparator decides, e.g. 'external': judged against another standard). A row that names
-- a condition wins over an 'always' row. Comparator 'none': no requirement for that case.
-- or_trend: the requirement is met also when the value improved (previous: against the previous
-- reported year; period: at every reported year of the period), "≥90 或持续提高".
select
    system_code, indicator_code, condition, condition_value,
    cast(lower as double) as lower, cast(upper as double) as upper,
    comparator, cast(threshold as double) as threshold,
    nullif(pass_markers, '') as pass_markers, nullif(fail_markers, '') as fail_markers,
    nullif(trim(or_trend), '') as or_trend,
    source
from ({{ system_seeds_with('thresholds', {'system_code': 'varchar', 'indicator_code': 'varchar', 'condition': 'varchar',
                                          'condition_value': 'varchar', 'lower': 'double', 'upper': 'double',
                                          'comparator': 'varchar', 'threshold': 'double', 'pass_markers': 'varchar',
                                          'fail_markers': 'varchar', 'or_trend': 'varchar', 'source': 'varchar'},
                           empty="select null::varchar as system_code where false") }})
