-- HJ 274-2015: every indicator of every current form (32 rows per park-year), judged against its
-- requirement whatever the selection. `value` is the recomputed value when the components exist,
-- else the reported one.
with park_years as (
    select * from {{ ref('int_eip_park_years') }}
),
reported as (
    select * from {{ ref('int_form_indicators_reported') }}
),
computed as (
    select * from {{ ref('int_eip_indicators_computed') }}
),
va_growth as (
    select park_name, year, any_value(va_growth) as va_growth from computed group by all
),
joined as (
    select
        py.park_name, py.year, cat.seq_no, cat.category, cat.indicator_name, cat.unit,
        cat.comparator, cat.pass_markers, cat.fail_markers, cat.mandatory, cat.by_formula,
        cat.clean_production_star, py.region_class, py.dominant_industry, py.base_year,
        r.requirement as requirement_as_written,
        r.selection, r.reported_value, r.value_text, r.value_kind, coalesce(r.is_masked, false) as is_masked,
        r.source_file, r.source_sheet, r.source_cell,
        c.computed_value, c.compute_note, c.input_cells,
        g.va_growth,
        case when cat.comparator = 'region' then rt.threshold else cat.threshold end as threshold,
        case when cat.comparator = 'region' then rt.comparator
             when cat.comparator = 'elasticity' then case when g.va_growth > 0 then '<=' when g.va_growth < 0 then '>=' end
             else cat.comparator end as effective_comparator
    from park_years py
    cross join {{ ref('hj274_catalog') }} cat
    left join reported r on r.park_name = py.park_name and r.year = py.year and r.seq_no = cat.seq_no
    left join computed c on c.park_name = py.park_name and c.year = py.year and c.seq_no = cat.seq_no
    left join va_growth g on g.park_name = py.park_name and g.year = py.year
    left join {{ ref('hj274_region_thresholds') }} rt on rt.seq_no = cat.seq_no and rt.region_class = py.region_class
),
judged as (
    select *,
        coalesce(computed_value, reported_value) as value,
        trim(coalesce(value_text, '')) as marker,
        dominant_industry is not null and clean_production_star as judged_by_industry
    from joined
),
passed as (
    select *,
        case
            when judged_by_industry then null
            when marker <> '' and list_contains(string_split(coalesce(fail_markers, ''), '|'), marker) then false
            when marker <> '' and list_contains(string_split(coalesce(pass_markers, ''), '|'), marker) then true
            when comparator = 'marker' then null
            else {{ meets('value', 'effective_comparator', 'threshold') }}
        end as passed
    from judged
)
select
    park_name,
    year,
    seq_no,
    category,
    indicator_name,
    unit,
    coalesce(requirement_as_written,
             case comparator when 'marker' then replace(pass_markers, '|', '/')
                             when 'elasticity' then '增长>0: ≤' || threshold || '; 增长<0: ≥' || threshold
                             else effective_comparator || threshold end) as requirement,
    mandatory,
    mandatory or coalesce(selection = '是', false) as selected,
    reported_value,
    computed_value,
    value,
    passed,
    nullif(concat_ws('; ',
        case when judged_by_industry then dominant_industry || ' exceeds 70 % of industrial output: judged against its clean-production level I, not by formula' end,
        case when is_masked then 'masked in the source (' || value_text || ')' end,
        case when value is null and not is_masked and marker = ''
             then 'not reported' || coalesce(' (' || compute_note || ')', '') end,
        case when value is not null and computed_value is null and by_formula
             then 'reported value assessed (' || coalesce(compute_note, 'not recomputed') || ')' end,
        case when computed_value is not null then compute_note end,
        case when comparator = 'elasticity' and va_growth is null then 'value-added growth unknown: requirement cannot be chosen' end,
        case when comparator = 'elasticity' and va_growth = 0 then 'value-added growth is zero: requirement undefined' end,
        case when comparator = 'elasticity' and va_growth < 0 then 'value added shrank over the construction period: the requirement flips to ≥' || threshold end,
        case when comparator = 'region' and threshold is null then 'region class of the park unknown (seed park_registry)' end,
        case when passed is null and value is null and marker <> '' and not is_masked and not judged_by_industry
             then 'not a number nor a known marker: ' || marker end
    ), '') as note,
    value_text,
    va_growth,
    base_year,
    effective_comparator as comparator,
    threshold,
    source_file,
    source_sheet,
    source_cell,
    input_cells
from passed
