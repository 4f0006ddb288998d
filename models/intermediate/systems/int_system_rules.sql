-- How each system turns its indicators into a verdict, one row per system, read from its seed
-- <system>__verdict (rule, parameter). The dbt var verdict_overrides ({system: {rule: parameter}})
-- replaces a parameter for one build, e.g. --vars '{verdict_overrides: {hj274_2015: {min_optional_selected: 5}}}'.
with seed as (
    select system_code, rule, nullif(trim(cast(parameter as varchar)), '') as parameter
    from {{ ref('int_system_verdict_rules') }}
),
overrides as (
    {%- set rows = [] %}
    {%- for system, rules in (var('verdict_overrides', {}) or {}).items() %}
        {%- for rule, value in rules.items() %}
            {%- do rows.append("select '" ~ system ~ "' as system_code, '" ~ rule ~ "' as rule, '" ~ value ~ "' as parameter") %}
        {%- endfor %}
    {%- endfor %}
    {{ rows | join(' union all ') if rows else "select null::varchar as system_code, null::varchar as rule, null::varchar as parameter where false" }}
),
rules as (
    select s.system_code, s.rule, coalesce(o.parameter, s.parameter) as parameter
    from seed s
    left join overrides o on o.system_code = s.system_code and o.rule = s.rule
),
systems as (
    select distinct system_code from {{ ref('int_system_indicators') }}
)
select
    y.system_code,
    -- which indicators count: core only, or mandatory, core and the optional ones a park selected
    coalesce(bool_or(r.rule = 'core_decides'), false) as core_decides,
    coalesce(bool_or(r.rule = 'every_counted_indicator_passes'), false) as every_counted_indicator_passes,
    -- a counted indicator that cannot be judged leaves the verdict open (else it is passed over)
    coalesce(bool_or(r.rule = 'unjudged_means_undecided'), false) as unjudged_means_undecided,
    max(try_cast(r.parameter as integer)) filter (where r.rule = 'min_optional_selected') as min_optional_selected,
    -- the verdict is the grade's (seed <system>__grades) rather than the indicators'
    coalesce(bool_or(r.rule = 'score_decides'), false) as score_decides,
    -- the data years the system judges ('2016-', '2010-2015'): a version in force
    max(try_cast(split_part(r.parameter, '-', 1) as integer)) filter (where r.rule = 'in_force_years') as in_force_from,
    max(try_cast(nullif(split_part(r.parameter, '-', 2), '') as integer)) filter (where r.rule = 'in_force_years') as in_force_to,
    -- a composite index across parks: how each indicator is normalised, the removal rule, the cohort
    max(r.parameter) filter (where r.rule = 'index_normalisation') as index_normalisation,
    max(try_cast(r.parameter as integer)) filter (where r.rule = 'index_last_k') as index_last_k,
    max(try_cast(r.parameter as integer)) filter (where r.rule = 'index_last_years') as index_last_years,
    max(r.parameter) filter (where r.rule = 'index_cohort') as index_cohort,
    max(r.parameter) filter (where r.rule = 'version_of') as version_of
from systems y
left join rules r on r.system_code = y.system_code
group by y.system_code
