-- Applies every formula macro to (a, b, c, n) so that the dbt unit tests in _utilities.yml can check
-- the macros on hand-computed rows. Rounded to 12 decimals: the tests compare exact values.
select
    case_id,
    round({{ safe_divide('a', 'b') }}, 12) as safe_divide,
    round({{ annual_growth('a', 'b', 'n') }}, 12) as annual_growth,
    {{ annual_growth_note('a', 'b', 'n') }} as annual_growth_note,
    round({{ yoy_growth('a', 'b') }}, 12) as yoy_growth,
    round({{ elasticity('a', 'b') }}, 12) as elasticity,
    round({{ annual_reduction('a', 'b', 'n') }}, 12) as annual_reduction,
    round({{ plan_progress('a', 'b', 'c') }}, 12) as plan_progress,
    round({{ required_rate('a', 'b', 'n') }}, 12) as required_rate,
    {{ meets('a', 'comparator', 'b', 'tol') }} as meets
from {{ ref('formula_cases') }}
