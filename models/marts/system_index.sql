-- The composite index of every system that ranks parks (a verdict rule index_normalisation), per
-- park and year: the index (0–100), its rank among the parks of the year and within the cohort, and
-- the removal rule's flag ("in the last k for m consecutive years"). Computed across parks in
-- intermediate/systems/int_system_index.
select
    system_code,
    park_name,
    year,
    round(index_value, 10) as index_value,
    cast(rank as integer) as rank,
    cast(parks_ranked as integer) as parks_ranked,
    cohort,
    cast(cohort_rank as integer) as cohort_rank,
    cast(cohort_size as integer) as cohort_size,
    in_last_k,
    cast(last_k_years as integer) as last_k_years,
    flagged as flagged_for_removal,
    group_scores,
    nullif(concat_ws('; ',
        case when indicators_missing is not null then 'not reported, scored 0: ' || indicators_missing end,
        case when in_last_k then 'in the last ' || index_last_k || ' of ' || parks_ranked end,
        case when flagged then 'in the last ' || index_last_k || ' for ' || index_last_years || ' years running: to be removed' end
    ), '') as note
from {{ ref('int_system_index') }}
