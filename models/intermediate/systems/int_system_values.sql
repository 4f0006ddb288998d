{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park (the parks this build changed).
-- Every computed indicator of every system, evaluated from its formula (seed <system>__formulas)
-- over the park-year's components, with the formula macros: ratio, growth over n years, growth of a
-- ratio, elasticity, reduction rate, or the reported component itself. A formula with members
-- ('a|b|c') is evaluated per member and the worst member is the value (the largest when the
-- driver - the denominator - grows, the smallest when it shrinks). NULL with a reason when a value
-- cannot be computed.
with py as (
    select * from {{ ref('int_system_park_years') }} where {{ changed_parks_only('park_name') }}
),
f as (
    select * from {{ ref('int_system_formulas') }}
),
defs as (
    select system_code, component_code, any_value(label) as label, any_value(unit) as unit
    from {{ ref('int_system_component_defs') }} group by all
),
inputs as (
    -- a derived value is preferred to a reported one (the reported total is reconciled with it)
    select *
    from {{ ref('int_system_inputs') }}
    where {{ changed_parks_only('park_name') }}
    qualify row_number() over (partition by system_code, park_name, year, component_code, ref_kind
                               order by origin = 'derived' desc, ref_year desc) = 1
),
conv as (
    select * from {{ ref('unit_conversions') }}
),
base_word as (
    select any_value(text) as text from {{ ref('template_headers') }} where template = 'eip_form' and role = 'planning_base_year'
),
year_word as (
    select 'YYYY' || any_value(text) as text from {{ ref('template_headers') }} where template = 'any' and role = 'year_mark'
),
args as (
    select
        py.system_code, py.park_name, py.year, py.base_year, f.indicator_code, f.kind, f.reference, f.multiplier,
        f.member_no, f.role, f.component_code, f.optional, d.label, d.unit, f.numerator_unit,
        -- a numerator may be asked in another unit than the component's (亿元 for a value added in 万元)
        case when f.role = 'num' and f.numerator_unit is not null then cd.factor / cn.factor else 1 end as scale,
        cur.value as cur_value, cur.issue as cur_issue, cur.source_cell as cur_cell, cur.value_kind as cur_kind,
        ref.value as ref_value, ref.ref_year, ref.issue as ref_issue, ref.source_cell as ref_cell
    from py
    join f on f.system_code = py.system_code
    left join defs d on d.system_code = f.system_code and d.component_code = f.component_code
    left join conv cd on cd.unit = d.unit
    left join conv cn on cn.unit = f.numerator_unit
    left join inputs cur on cur.system_code = py.system_code and cur.park_name = py.park_name and cur.year = py.year
        and cur.component_code = f.component_code and cur.ref_kind = 'current'
    left join inputs ref on ref.system_code = py.system_code and ref.park_name = py.park_name and ref.year = py.year
        and ref.component_code = f.component_code and ref.ref_kind = f.reference
),
members as (
    select
        system_code, park_name, year, base_year, indicator_code, kind, reference, multiplier, member_no,
        any_value(numerator_unit) as numerator_unit,
        case when bool_or(role = 'num' and not optional and cur_value is null) then null
             else sum(case when role = 'num' then coalesce(cur_value, 0) * scale end) end as num_cur,
        case when bool_or(role = 'den' and not optional and cur_value is null) then null
             else sum(case when role = 'den' then coalesce(cur_value, 0) * scale end) end as den_cur,
        case when bool_or(role = 'num' and not optional and ref_value is null) then null
             else sum(case when role = 'num' then coalesce(ref_value, 0) * scale end) end as num_ref,
        case when bool_or(role = 'den' and not optional and ref_value is null) then null
             else sum(case when role = 'den' then coalesce(ref_value, 0) * scale end) end as den_ref,
        max(ref_year) as ref_year,
        {{ count_distinct('ref_year') }} as n_ref_years,
        {{ joined_in_order('label', "'+'", 'component_code', where="role = 'num'") }} as subject_label,
        any_value(unit) filter (where role = 'num') as subject_unit,
        {{ joined_in_order('label', "'+'", 'component_code', where="role = 'den'") }} as driver_label,
        any_value(cur_kind) filter (where role = 'num') as subject_kind,
        -- the components that are missing (or unusable), with the year they are needed for
        -- sorted lists: the same inputs always read the same, whatever order the rows came in
        {{ joined_distinct("label || coalesce(' (' || cur_issue || ')', '')", "', '",
                           where='cur_value is null and not optional') }} as missing_current,
        {{ joined_distinct("case reference when 'base' then (select text from base_word) else (select text from year_word) end
                            || label || coalesce(' (' || ref_issue || ')', '')", "', '",
                           where='reference is not null and ref_value is null and not optional') }} as missing_reference,
        {{ joined_distinct('cur_cell', "','", where='cur_cell is not null') }}
            || coalesce(',' || {{ joined_distinct('ref_cell', "','", where='ref_cell is not null') }}, '') as input_cells
    from args
    group by all
),
evaluated as (
    select *,
        case kind
            when 'reported' then num_cur
            when 'ratio' then multiplier * {{ safe_divide('num_cur', 'den_cur') }}
            when 'growth' then multiplier * {{ annual_growth('num_cur', 'num_ref', 'year - ref_year') }}
            when 'growth_of_ratio' then case when n_ref_years = 1 then
                multiplier * {{ annual_growth(safe_divide('num_cur', 'den_cur'), safe_divide('num_ref', 'den_ref'), 'year - ref_year') }} end
            when 'elasticity' then {{ elasticity(annual_growth('num_cur', 'num_ref', 'year - base_year'),
                                                 annual_growth('den_cur', 'den_ref', 'year - base_year')) }}
            when 'reduction' then multiplier * {{ annual_reduction(safe_divide('num_cur', 'den_cur'),
                                                                   safe_divide('num_ref', 'den_ref'), 'year - base_year') }}
        end as member_value,
        case when kind in ('elasticity') then {{ annual_growth('den_cur', 'den_ref', 'year - base_year') }} end as driver_growth,
        case kind
            when 'growth' then {{ annual_growth_note('num_cur', 'num_ref', 'year - ref_year') }}
            when 'growth_of_ratio' then case when n_ref_years > 1 then 'components of different earlier years' end
            when 'elasticity' then coalesce({{ annual_growth_note('num_cur', 'num_ref', 'year - base_year') }},
                case when {{ annual_growth('den_cur', 'den_ref', 'year - base_year') }} = 0
                     then driver_label || ' growth is zero: elasticity undefined' end)
            when 'reduction' then {{ annual_growth_note(safe_divide('num_cur', 'den_cur'), safe_divide('num_ref', 'den_ref'), 'year - base_year') }}
        end as why
    from members
),
worst as (
    select
        system_code, park_name, year, indicator_code, any_value(kind) as kind,
        any_value(driver_growth) as driver_growth,
        count(*) as n_members,
        case when count(*) = 1 then any_value(member_value)
             when any_value(driver_growth) > 0 then max(member_value)
             when any_value(driver_growth) < 0 then min(member_value) end as computed_value,
        -- with several members, the one whose value is the indicator's (its gap is the one to close)
        case when count(*) = 1 then any_value(member_no)
             when any_value(driver_growth) > 0 then arg_max(member_no, member_value)
             when any_value(driver_growth) < 0 then arg_min(member_no, member_value) end as decisive_member,
        {{ joined_in_order('missing_current', "', '", 'member_no') }} as missing_current,
        {{ joined_in_order('missing_reference', "', '", 'member_no') }} as missing_reference,
        case when count(*) = 1 then any_value(why)
             else nullif(concat_ws('; ',
                 case when any_value(driver_growth) = 0 then any_value(driver_label) || ' growth is zero: elasticity undefined' end,
                 {{ joined_in_order("case when member_value is null then subject_label || ': not computable' end", "'; '", 'member_no') }},
                 'per member: ' || {{ joined_in_order("subject_label || ' ' || coalesce(printf('%.4f', member_value), 'n/a')", "', '", 'member_no') }}
             ), '') end as why,
        {{ joined_in_order('input_cells', "','", 'member_no') }} as input_cells
    from evaluated
    group by system_code, park_name, year, indicator_code
)
select
    -- 12 decimals: what a double carries reliably after pow(); the tests compare exact values
    w.system_code, w.park_name, w.year, w.indicator_code, w.kind, round(w.computed_value, 12) as computed_value,
    w.driver_growth,
    case when w.computed_value is null
         then coalesce('components not reported: ' || nullif(concat_ws(', ', w.missing_current, w.missing_reference), ''),
                       w.why, 'not computable')
         else w.why end as compute_note,
    w.input_cells,
    e.num_cur, e.den_cur, e.num_ref, e.den_ref, e.ref_year, e.multiplier, e.subject_label,
    coalesce(e.numerator_unit, e.subject_unit) as subject_unit, e.subject_kind, e.base_year
from worst w
left join evaluated e on e.system_code = w.system_code and e.park_name = w.park_name and e.year = w.year
    and e.indicator_code = w.indicator_code and e.member_no = coalesce(w.decisive_member, 1)
