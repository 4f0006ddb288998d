-- HJ 274-2015 indicators recomputed from the form's components (formulas of domain.md, via macros).
-- One row per (park, year, seq_no) for every indicator with a formula; computed_value is NULL with a
-- note when it cannot be computed. Percentages are percentage points.
{%- set codes = ['hitech_output', 'industrial_output', 'employees', 'va', 'recycling_va', 'sw_utilized',
                 'sw_generated', 'sw_stored_utilized', 'recycled_used', 'recycled_collected', 'land', 'energy',
                 'renewable', 'fresh_water', 'reused_water', 'reclaimed_water', 'wwtp_discharge', 'cod', 'nh3n',
                 'so2', 'nox', 'co2', 'wastewater', 'solid_waste'] %}
{%- set pollutants = {'cod': '化学需氧量', 'nh3n': '氨氮', 'so2': '二氧化硫', 'nox': '氮氧化物'} %}
with components as (
    select * from {{ ref('int_form_components_normalized') }} where component_code is not null
),

wide as (
    select
        py.park_name, py.year, py.base_year, py.years_since_base as n,
        {%- for code in codes %}
        max(c.value_std) filter (where c.component_code = '{{ code }}' and c.ref_kind = 'current') as {{ code }},
        max(c.value_std) filter (where c.component_code = '{{ code }}' and c.ref_kind = 'base') as {{ code }}_base,
        {%- endfor %}
        max(c.value_std) filter (where c.component_code = 'va' and c.ref_kind = 'year') as va_prior,
        max(c.ref_year) filter (where c.component_code = 'va' and c.ref_kind = 'year') as va_prior_year,
        max(c.value_std) filter (where c.component_code = 'land' and c.ref_kind = 'year') as land_prior,
        max(c.ref_year) filter (where c.component_code = 'land' and c.ref_kind = 'year') as land_prior_year
    from {{ ref('int_eip_park_years') }} py
    left join components c on c.park_name = py.park_name and c.year = py.year
    group by all
),

growth as (
    select *,
        {{ annual_growth('va', 'va_base', 'n') }} as va_growth,
        {{ annual_growth_note('va', 'va_base', 'n') }} as va_growth_note,
        {{ annual_growth('energy', 'energy_base', 'n') }} as energy_growth,
        {{ annual_growth('fresh_water', 'fresh_water_base', 'n') }} as water_growth,
        {%- for code in pollutants %}
        {{ elasticity(annual_growth(code, code ~ '_base', 'n'), annual_growth('va', 'va_base', 'n')) }} as {{ code }}_elasticity,
        {%- endfor %}
        {{ safe_divide('co2', 'va') }} as co2_intensity,
        {{ safe_divide('co2_base', 'va_base') }} as co2_intensity_base
    from wide
),

formulas as (
    select park_name, year, base_year, va_growth, va_growth_note, unnest([
        {'seq_no': 1, 'v': 100 * {{ safe_divide('hitech_output', 'industrial_output') }}, 'why': null},
        {'seq_no': 2, 'v': {{ safe_divide('va', 'employees') }}, 'why': null},
        {'seq_no': 3, 'v': 100 * {{ annual_growth('va', 'va_prior', 'year - va_prior_year') }},
                      'why': {{ annual_growth_note('va', 'va_prior', 'year - va_prior_year') }}},
        {'seq_no': 4, 'v': 100 * {{ safe_divide('recycling_va', 'va') }}, 'why': null},
        {'seq_no': 6, 'v': 100 * {{ safe_divide('sw_utilized', 'sw_generated + coalesce(sw_stored_utilized, 0)') }},
                      'why': null},
        {'seq_no': 7, 'v': 100 * {{ safe_divide('recycled_used', 'recycled_collected') }}, 'why': null},
        {'seq_no': 8, 'v': {{ safe_divide('va / 10000.0', 'land') }}, 'why': null},
        {'seq_no': 9, 'v': case when va_prior_year = land_prior_year then
                              100 * {{ annual_growth(safe_divide('va', 'land'), safe_divide('va_prior', 'land_prior'), 'year - va_prior_year') }} end,
                      'why': case when va_prior_year <> land_prior_year
                                  then 'value added and land area of different earlier years' end},
        {'seq_no': 10, 'v': {{ elasticity('energy_growth', 'va_growth') }},
                       'why': coalesce({{ annual_growth_note('energy', 'energy_base', 'n') }},
                                       case when va_growth = 0 then 'value-added growth is zero: elasticity undefined' end)},
        {'seq_no': 11, 'v': {{ safe_divide('energy', 'va') }}, 'why': null},
        {'seq_no': 12, 'v': 100 * {{ safe_divide('renewable', 'energy') }}, 'why': null},
        {'seq_no': 13, 'v': {{ elasticity('water_growth', 'va_growth') }},
                       'why': coalesce({{ annual_growth_note('fresh_water', 'fresh_water_base', 'n') }},
                                       case when va_growth = 0 then 'value-added growth is zero: elasticity undefined' end)},
        {'seq_no': 14, 'v': {{ safe_divide('fresh_water', 'va') }}, 'why': null},
        {'seq_no': 15, 'v': 100 * {{ safe_divide('reused_water', 'reused_water + fresh_water') }}, 'why': null},
        {'seq_no': 16, 'v': 100 * {{ safe_divide('reclaimed_water', 'wwtp_discharge') }}, 'why': null},
        -- the worst pollutant: the largest elasticity when value added grows, the smallest when it shrinks
        {'seq_no': 25, 'v': case when va_growth > 0 then list_max([{% for p in pollutants %}{{ p }}_elasticity{{ ', ' if not loop.last }}{% endfor %}])
                                 when va_growth < 0 then list_min([{% for p in pollutants %}{{ p }}_elasticity{{ ', ' if not loop.last }}{% endfor %}]) end,
                       'why': nullif(concat_ws('; ',
                                  case when va_growth = 0 then 'value-added growth is zero: elasticity undefined' end,
                                  {%- for p, name in pollutants.items() %}
                                  case when {{ p }}_elasticity is null then '{{ name }}: not computable' end,
                                  {%- endfor %}
                                  'per pollutant: ' || concat_ws(', ',
                                  {%- for p, name in pollutants.items() %}
                                      '{{ name }} ' || coalesce(printf('%.4f', {{ p }}_elasticity), 'n/a'){{ ',' if not loop.last }}
                                  {%- endfor %})), '')},
        {'seq_no': 26, 'v': 100 * {{ annual_reduction('co2_intensity', 'co2_intensity_base', 'n') }},
                       'why': {{ annual_growth_note('co2_intensity', 'co2_intensity_base', 'n') }}},
        {'seq_no': 27, 'v': {{ safe_divide('wastewater', 'va') }}, 'why': null},
        {'seq_no': 28, 'v': {{ safe_divide('solid_waste', 'va') }}, 'why': null}
    ]) as formula
    from growth
),

inputs as (
    -- which required components are missing (or unusable) per park-year and indicator
    select py.park_name, py.year, i.seq_no,
           string_agg(distinct case i.ref_kind when 'base' then '规划基准年' when 'year' then 'YYYY年' else '' end
                      || coalesce(l.label, i.component_code)
                      || coalesce(' (' || c.issue || ')', ''), ', ') filter (where c.value_std is null and not i.optional)
               as missing,
           string_agg(distinct c.source_cell, ',' order by c.source_cell) as input_cells
    from {{ ref('int_eip_park_years') }} py
    cross join {{ ref('hj274_formula_inputs') }} i
    left join {{ ref('hj274_form_labels') }} l on l.component_code = i.component_code
    left join components c on c.park_name = py.park_name and c.year = py.year
        and c.component_code = i.component_code and c.ref_kind = i.ref_kind
    group by all
)

select
    f.park_name,
    f.year,
    struct_extract(f.formula, 'seq_no') as seq_no,
    struct_extract(f.formula, 'v') as computed_value,
    f.va_growth,
    f.base_year,
    case when struct_extract(f.formula, 'v') is null
              then coalesce('components not reported: ' || i.missing, struct_extract(f.formula, 'why'), 'not computable')
         else struct_extract(f.formula, 'why') end as compute_note,
    i.input_cells
from formulas f
left join inputs i on i.park_name = f.park_name and i.year = f.year and i.seq_no = struct_extract(f.formula, 'seq_no')
