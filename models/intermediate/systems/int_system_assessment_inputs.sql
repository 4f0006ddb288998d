{{ config(materialized='view') }}
-- Step 1 of the evaluator: everything an indicator of a park-year is judged on, gathered in one row
-- per system, park, year and indicator (the parks this build recomputes): the computed value and
-- its components (int_system_values), what the park reported for the indicator itself (the form's
-- row, or a statistics series of the indicator's name), the park's facts the rules depend on
-- (region class, dominant industry, the driver's growth), and a derived component reconciled with
-- the total a park reports.
with park_years as (
    select * from {{ ref('int_system_park_years') }}
    where park_name in (select park_name from {{ ref('changed_parks') }})
),
indicators as (
    select * from {{ ref('int_system_indicators') }}
),
computed as (
    select * from {{ ref('int_system_values') }}
    where park_name in (select park_name from {{ ref('changed_parks') }})
),
form_systems as (
    select distinct system_code from {{ ref('int_system_component_defs') }} where found_in = 'form'
),
reported_on_forms as (
    select * from {{ ref('int_form_indicators_reported') }}
    where park_name in (select park_name from {{ ref('changed_parks') }})
),
reported_components as (
    -- an indicator judged on a reported component (formula kind 'reported'): that component's figure
    select f.system_code, f.indicator_code, i.park_name, i.year, i.value, i.value_text, i.value_kind, i.remark,
           i.source_file, i.source_sheet, i.source_cell
    from {{ ref('int_system_formulas') }} f
    join {{ ref('int_system_inputs') }} i on i.system_code = f.system_code and i.component_code = f.component_code
        and i.ref_kind = 'current'
    where f.kind = 'reported' and f.role = 'num' and i.park_name in (select park_name from {{ ref('changed_parks') }})
),
reported_series as (
    -- a computed indicator that a park also reports as a statistics series of the indicator's name
    -- (in the indicator's unit or one that converts into it): reconciled with the computed value
    select ind.system_code, ind.indicator_code, s.park_name, s.year,
           s.value * cs.factor / ci.factor as value, s.source_file, s.source_sheet, s.source_cell
    from indicators ind
    join {{ ref('int_statistics_current') }} s on s.indicator_name = ind.indicator_name and s.value is not null
    join {{ ref('unit_conversions') }} cs on cs.unit = coalesce(s.unit, ind.unit)
    join {{ ref('unit_conversions') }} ci on ci.unit = ind.unit and ci.standard_unit = cs.standard_unit
    where ind.judged_on = 'formula' and ind.system_code not in (select system_code from form_systems)
      and s.park_name in (select park_name from {{ ref('changed_parks') }})
),
reconciled_components as (
    -- a derived component that the park also reports as a total: both are kept, the difference shown
    select d.system_code, d.park_name, d.year, d.component_code, d.label, d.value as derived_value,
           r.value as reported_value, d.value - r.value as difference
    from {{ ref('int_system_inputs') }} d
    join {{ ref('int_system_inputs') }} r on r.system_code = d.system_code and r.park_name = d.park_name
        and r.year = d.year and r.component_code = d.component_code and r.ref_kind = d.ref_kind and r.origin = 'reported'
    where d.origin = 'derived' and d.ref_kind = 'current' and d.park_name in (select park_name from {{ ref('changed_parks') }})
),
first_numerator as (
    select system_code, indicator_code, min(component_code) as component_code
    from {{ ref('int_system_formulas') }}
    where role = 'num' and member_no = 1
    group by all
),
gathered as (
    select
        py.system_code, py.park_name, py.year, ind.indicator_code, ind.seq_no, ind.category, ind.indicator_name,
        ind.unit, ind.role, ind.judged_on, ind.clean_production_star, ind.group_code, ind.points, ind.points_rule,
        py.base_year, py.region_class, py.dominant_industry,
        py.system_code in (select system_code from form_systems) as from_forms,
        coalesce(fr.reported_value, rc.value, rs.value) as reported_value,
        rs.value is not null and fr.reported_value is null and rc.value is null as reported_in_statistics,
        case when v.kind <> 'reported' then v.computed_value end as computed_value,
        coalesce(fr.value_text, rc.value_text) as value_text,
        coalesce(fr.value_kind, rc.value_kind) as value_kind,
        coalesce(fr.is_masked, rc.value_kind = 'masked', false) as is_masked,
        rc.remark,
        fr.requirement as requirement_as_written,
        fr.selection,
        coalesce(fr.source_file, rc.source_file, rs.source_file, py.source_file) as source_file,
        coalesce(fr.source_sheet, rc.source_sheet, rs.source_sheet, py.source_sheet) as source_sheet,
        coalesce(fr.source_cell, rc.source_cell, rs.source_cell) as source_cell,
        v.kind, v.compute_note, v.input_cells, v.driver_growth,
        v.num_cur, v.den_cur, v.num_ref, v.den_ref, v.ref_year, v.multiplier, v.subject_label, v.subject_unit,
        cc.label as reconciled_label, cc.derived_value, cc.reported_value as reported_total, cc.difference
    from park_years py
    join indicators ind on ind.system_code = py.system_code
    left join computed v on v.system_code = py.system_code and v.park_name = py.park_name and v.year = py.year
        and v.indicator_code = ind.indicator_code
    left join reported_on_forms fr on py.system_code in (select system_code from form_systems)
        and fr.park_name = py.park_name and fr.year = py.year and fr.seq_no = ind.seq_no
    left join reported_components rc on rc.system_code = py.system_code and rc.indicator_code = ind.indicator_code
        and rc.park_name = py.park_name and rc.year = py.year
    left join reported_series rs on rs.system_code = py.system_code and rs.indicator_code = ind.indicator_code
        and rs.park_name = py.park_name and rs.year = py.year
    left join first_numerator fn on fn.system_code = py.system_code and fn.indicator_code = ind.indicator_code
    left join reconciled_components cc on cc.system_code = py.system_code and cc.park_name = py.park_name
        and cc.year = py.year and cc.component_code = fn.component_code
),
driver as (
    -- the driver's growth of a park-year (e.g. value added, base year → data year) decides the
    -- requirement of every driver_growth rule of that park-year (a grouping, not a window: a window
    -- would buffer every column of the rows above)
    select v.system_code, v.park_name, v.year, max(v.driver_growth) as park_driver_growth
    from computed v
    join indicators ind on ind.system_code = v.system_code and ind.indicator_code = v.indicator_code
    group by all
)
select g.*, d.park_driver_growth
from gathered g
left join driver d on d.system_code = g.system_code and d.park_name = g.park_name and d.year = g.year
