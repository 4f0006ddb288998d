{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park (the parks this build changed).
-- Every indicator of every indicator system for every park-year the system assesses, judged against
-- its threshold rule (seeds <system>__thresholds: always, by region class, by the sign of the
-- driver's growth, or tiered by another figure). Status: pass, fail, not_applicable (declared 不适用
-- with a reason), not_assessable (with the reason). For a failing indicator, the gap to pass: the
-- component, its value now and the value that passes, the other components held fixed (domain.md §7).
with py as (
    select * from {{ ref('int_system_park_years') }} where {{ changed_parks_only('park_name') }}
),
ind as (
    select * from {{ ref('int_system_indicators') }}
),
vals as (
    select * from {{ ref('int_system_values') }} where {{ changed_parks_only('park_name') }}
),
form_systems as (
    select distinct system_code from {{ ref('int_system_component_defs') }} where found_in = 'form'
),
form_reported as (
    select * from {{ ref('int_form_indicators_reported') }}
),
stat_reported as (
    -- the reported figure of an indicator judged on a reported statistics component
    select f.system_code, f.indicator_code, i.park_name, i.year, i.value, i.value_text, i.value_kind, i.remark,
           i.source_file, i.source_sheet, i.source_cell
    from {{ ref('int_system_formulas') }} f
    join {{ ref('int_system_inputs') }} i on i.system_code = f.system_code and i.component_code = f.component_code
        and i.ref_kind = 'current'
    where f.kind = 'reported' and f.role = 'num' and {{ changed_parks_only('i.park_name') }}
),
reconciled as (
    -- a derived component that the park also reports as a total: both are kept, the difference shown
    select d.system_code, d.park_name, d.year, d.component_code, d.label, d.value as derived_value,
           r.value as reported_value, d.value - r.value as difference
    from {{ ref('int_system_inputs') }} d
    join {{ ref('int_system_inputs') }} r on r.system_code = d.system_code and r.park_name = d.park_name
        and r.year = d.year and r.component_code = d.component_code and r.ref_kind = d.ref_kind and r.origin = 'reported'
    where d.origin = 'derived' and d.ref_kind = 'current' and {{ changed_parks_only('d.park_name') }}
),
joined as (
    select
        py.system_code, py.park_name, py.year, ind.indicator_code, ind.seq_no, ind.category, ind.indicator_name,
        ind.unit, ind.role, ind.judged_on, ind.clean_production_star,
        py.base_year, py.region_class, py.dominant_industry,
        py.system_code in (select system_code from form_systems) as from_forms,
        coalesce(fr.reported_value, sr.value) as reported_value,
        case when v.kind <> 'reported' then v.computed_value end as computed_value,
        coalesce(fr.value_text, sr.value_text) as value_text,
        coalesce(fr.value_kind, sr.value_kind) as value_kind,
        coalesce(fr.is_masked, sr.value_kind = 'masked', false) as is_masked,
        sr.remark,
        fr.requirement as requirement_as_written,
        fr.selection,
        coalesce(fr.source_file, sr.source_file, py.source_file) as source_file,
        coalesce(fr.source_sheet, sr.source_sheet, py.source_sheet) as source_sheet,
        coalesce(fr.source_cell, sr.source_cell) as source_cell,
        v.kind, v.compute_note, v.input_cells, v.driver_growth,
        v.num_cur, v.den_cur, v.num_ref, v.den_ref, v.ref_year, v.multiplier, v.subject_label, v.subject_unit,
        rc.label as reconciled_label, rc.derived_value, rc.reported_value as reported_total, rc.difference
    from py
    join ind on ind.system_code = py.system_code
    left join vals v on v.system_code = py.system_code and v.park_name = py.park_name and v.year = py.year
        and v.indicator_code = ind.indicator_code
    left join form_reported fr on py.system_code in (select system_code from form_systems)
        and fr.park_name = py.park_name and fr.year = py.year and fr.seq_no = ind.seq_no
    left join stat_reported sr on sr.system_code = py.system_code and sr.indicator_code = ind.indicator_code
        and sr.park_name = py.park_name and sr.year = py.year
    left join {{ ref('int_system_formulas') }} ff on ff.system_code = py.system_code and ff.indicator_code = ind.indicator_code
        and ff.role = 'num' and ff.member_no = 1
    left join reconciled rc on rc.system_code = py.system_code and rc.park_name = py.park_name and rc.year = py.year
        and rc.component_code = ff.component_code
    qualify row_number() over (partition by py.system_code, py.park_name, py.year, ind.indicator_code order by ff.component_code) = 1
),
with_driver as (
    -- the driver's growth of a park-year (e.g. value added, base year → data year) decides the
    -- requirement of every driver_growth rule of that park-year
    select *, max(driver_growth) over (partition by system_code, park_name, year) as park_driver_growth
    from joined
),
conditions as (
    -- every threshold row of the indicator, with whether its condition holds for the park-year
    select j.system_code, j.park_name, j.year, j.indicator_code, t.comparator, t.threshold, t.pass_markers,
           t.fail_markers, t.condition, t.condition_value, t.source as threshold_source,
           c.value as condition_figure, c.label as condition_label,
           case t.condition
               when 'always' then true
               when 'region_class' then t.condition_value = j.region_class
               when 'driver_growth' then (t.condition_value = 'positive' and j.park_driver_growth > 0)
                                      or (t.condition_value = 'negative' and j.park_driver_growth < 0)
               when 'component_range' then c.value >= coalesce(t.lower, c.value) and c.value < coalesce(t.upper, c.value + 1)
           end as holds
    from with_driver j
    join {{ ref('int_system_thresholds') }} t on t.system_code = j.system_code and t.indicator_code = j.indicator_code
    left join {{ ref('int_system_inputs') }} c on t.condition = 'component_range' and c.system_code = j.system_code
        and c.park_name = j.park_name and c.year = j.year and c.component_code = t.condition_value and c.ref_kind = 'current'
),
rule as (
    select j.*,
        t.comparator, t.threshold, t.pass_markers, t.fail_markers, t.threshold_source,
        -- why no rule applies, when none does
        (select any_value(condition) from conditions c where c.system_code = j.system_code and c.park_name = j.park_name
            and c.year = j.year and c.indicator_code = j.indicator_code) as rule_condition,
        (select any_value(condition_label) from conditions c where c.system_code = j.system_code and c.park_name = j.park_name
            and c.year = j.year and c.indicator_code = j.indicator_code and c.condition = 'component_range') as condition_label,
        (select bool_or(condition_figure is not null) from conditions c where c.system_code = j.system_code
            and c.park_name = j.park_name and c.year = j.year and c.indicator_code = j.indicator_code) as condition_known
    from with_driver j
    left join conditions t on t.system_code = j.system_code and t.park_name = j.park_name and t.year = j.year
        and t.indicator_code = j.indicator_code and t.holds
    qualify row_number() over (partition by j.system_code, j.park_name, j.year, j.indicator_code order by t.threshold) = 1
),
judged as (
    select *,
        coalesce(computed_value, reported_value) as value,
        trim(coalesce(value_text, '')) as marker,
        dominant_industry is not null and clean_production_star as judged_by_industry
    from rule
),
passed as (
    select *,
        case
            when judged_by_industry then null
            when value_kind = 'not_applicable' then null
            when comparator = 'none' then null
            when marker <> '' and list_contains(string_split(coalesce(fail_markers, ''), '|'), marker) then false
            when marker <> '' and list_contains(string_split(coalesce(pass_markers, ''), '|'), marker) then true
            when comparator = 'marker' then null
            else {{ meets('value', 'comparator', 'threshold') }}
        end as passed
    from judged
),
gapped as (
    select *,
        case when passed = false and comparator in ('>=', '>', '<=', '<') then round(
            {{ gap_pass_value('kind', 'threshold', 'multiplier', 'num_cur', 'den_cur', 'num_ref', 'den_ref',
                              'year - ref_year', 'year - base_year', 'park_driver_growth') }}, 10) end as gap_pass_value_raw
    from passed
)
select
    system_code,
    park_name,
    year,
    indicator_code,
    indicator_name,
    role,
    value,
    unit,
    comparator,
    threshold,
    case when value_kind = 'not_applicable' then 'not_applicable'
         when passed then 'pass'
         when passed = false then 'fail'
         else 'not_assessable' end as status,
    nullif(concat_ws('; ',
        case when value_kind = 'not_applicable' then 'declared not applicable' || coalesce(': ' || remark, ' (no reason given)') end,
        case when judged_by_industry then dominant_industry || ' exceeds 70 % of industrial output: judged against its clean-production level I, not by formula' end,
        case when is_masked then 'masked in the source (' || value_text || ')' end,
        case when value is null and not is_masked and marker = '' and value_kind is distinct from 'not_applicable'
             then 'not reported' || coalesce(' (' || compute_note || ')', '') end,
        case when value is not null and computed_value is null and judged_on = 'formula'
             then 'reported value assessed (' || coalesce(compute_note, 'not recomputed') || ')' end,
        case when computed_value is not null then compute_note end,
        case when reconciled_label is not null then reconciled_label || ' computed from its terms ' || {{ fmt_number('derived_value') }}
             || ', reported ' || {{ fmt_number('reported_total') }} || ' (difference ' || {{ fmt_number('difference') }} || ')' end,
        case when comparator is null and rule_condition = 'driver_growth' and park_driver_growth is null
             then 'value-added growth unknown: requirement cannot be chosen' end,
        case when comparator is null and rule_condition = 'driver_growth' and park_driver_growth = 0
             then 'value-added growth is zero: requirement undefined' end,
        case when rule_condition = 'driver_growth' and park_driver_growth < 0
             then 'value added shrank over the construction period: the requirement flips to ' || comparator || threshold end,
        case when comparator is null and rule_condition = 'region_class' then 'region class of the park unknown (seed park_registry)' end,
        case when comparator is null and rule_condition = 'component_range' and not coalesce(condition_known, false)
             then coalesce(condition_label, 'the figure the requirement depends on') || ' not reported: requirement cannot be chosen' end,
        case when comparator = 'none' then 'no requirement: ' || threshold_source end,
        case when passed is null and value is null and marker <> '' and not is_masked and not judged_by_industry
                  and value_kind is distinct from 'not_applicable'
             then 'not a number nor a known marker: ' || marker end,
        case when gap_pass_value_raw is not null
             then coalesce(subject_label, indicator_name) || ' must '
                  || case when gap_pass_value_raw < coalesce(case when kind = 'reported' then value else num_cur end, 0) then 'fall' else 'rise' end
                  || ' from ' || {{ fmt_number("case when kind = 'reported' then value else num_cur end") }}
                  || ' ' || coalesce(case when kind = 'reported' then unit else subject_unit end, '')
                  || ' to ' || {{ fmt_number('gap_pass_value_raw') }} || ' ' || coalesce(case when kind = 'reported' then unit else subject_unit end, '') end
    ), '') as note,
    case when gap_pass_value_raw is not null then coalesce(subject_label, indicator_name) end as gap_component,
    case when gap_pass_value_raw is not null then case when kind = 'reported' then value else num_cur end end as gap_current_value,
    gap_pass_value_raw as gap_pass_value,
    case when gap_pass_value_raw is not null then case when kind = 'reported' then unit else subject_unit end end as gap_unit,
    -- counted in the verdict: mandatory and core indicators, and optional ones the park selected
    case when role in ('mandatory', 'core') then true
         when role = 'optional' then coalesce(selection in (select text from {{ ref('template_headers') }}
                                                            where template = 'eip_form' and role = 'selected'), false)
         else false end as counted,
    -- what the historic HJ 274 marts and the workbook export need
    seq_no,
    category,
    judged_on,
    reported_value,
    computed_value,
    value_text,
    requirement_as_written,
    selection,
    passed,
    park_driver_growth as driver_growth,
    base_year,
    source_file,
    source_sheet,
    source_cell,
    input_cells
from gapped
