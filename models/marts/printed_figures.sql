{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Figures a table prints beside the ones they derive from, recomputed and compared at the precision
-- of the print: the annual growth of a plan review table (年均增长(%) from 基期完成 and 末期完成 over the
-- plan's years), and the change of a share printed as text ('提高2.1个百分点': end − base in
-- percentage points). A printed verdict ('完成上级下达目标') is kept as text, not judged. A print that
-- disagrees beyond its rounding (half a unit of its last decimal) is flagged with its cell.
-- Rebuilt park by park.
with review as (
    select * from {{ ref('int_observations_current') }}
    where template = 'review' and {{ changed_parks_only('park_name') }}
),
rows as (
    select park_name, plan_name, label_key as indicator_name, any_value(unit) as unit, any_value(attribute) as attribute,
           any_value(year) filter (where value_role = 'base') as base_year,
           any_value(year) filter (where value_role = 'end') as end_year,
           any_value(value) filter (where value_role = 'base') as base_value,
           any_value(value) filter (where value_role = 'end') as end_value,
           any_value(value) filter (where value_role = 'growth') as printed_number,
           any_value(coalesce(value_text, cast(value as varchar))) filter (where value_role = 'growth') as printed_text,
           any_value(source_file) as source_file,
           any_value(source_sheet) as source_sheet,
           any_value(source_cell) filter (where value_role = 'growth') as source_cell,
           concat_ws(',', any_value(source_cell) filter (where value_role = 'base'),
                          any_value(source_cell) filter (where value_role = 'end')) as input_cells
    from review
    group by park_name, plan_name, label_key
),
words as (
    select {{ phrases('pp_change') }} as verbs, {{ phrases('pp_unit') }} as units
),
read as (
    -- what the print says: a number (an annual growth), a change in percentage points, or a verdict
    select r.*,
        regexp_replace(coalesce(r.printed_text, ''), '\s', '', 'g') as t,
        (select verbs from words) as verbs, (select units from words) as pp_units
    from rows r
),
kinds as (
    select *,
        case when printed_number is not null then 'annual_growth'
             when regexp_full_match(t, verbs || '[0-9]+(\.[0-9]+)?' || pp_units) then 'pp_change'
             when t = '' then null
             else 'verdict' end as printed_kind,
        case when printed_number is not null then printed_number
             when regexp_full_match(t, verbs || '[0-9]+(\.[0-9]+)?' || pp_units)
                 then (select any_value(sign) from {{ ref('target_phrases') }}
                       where kind = 'pp_change' and phrase = regexp_extract(t, '^' || verbs, 1))
                      * cast(regexp_extract(t, '([0-9]+(\.[0-9]+)?)', 1) as double) end as printed_value,
        -- the precision the print implies: its decimals (6.5 has one)
        cast(length(coalesce(regexp_extract(case when printed_number is not null then printed_text else t end,
                                       '[0-9]\.([0-9]+)', 1), '')) as integer) as printed_decimals
    from read
),
recomputed as (
    select *,
        case printed_kind
            when 'annual_growth' then 100 * {{ annual_growth('end_value', 'base_value', 'end_year - base_year') }}
            when 'pp_change' then end_value - base_value end as recomputed_value,
        0.5 * pow(10, -printed_decimals) as tolerance
    from kinds
)
select
    park_name,
    plan_name,
    indicator_name,
    unit,
    attribute,
    base_year,
    base_value,
    end_year,
    end_value,
    printed_text,
    printed_kind,
    printed_value,
    round(recomputed_value, 10) as recomputed_value,
    printed_decimals,
    tolerance,
    round(printed_value - recomputed_value, 10) as difference,
    case when printed_value is not null and recomputed_value is not null
         then abs(printed_value - recomputed_value) <= tolerance + 1e-9 end as agrees,
    nullif(concat_ws('; ',
        case when printed_kind = 'verdict' then 'a verdict as printed: kept, not judged' end,
        case when printed_kind in ('annual_growth', 'pp_change') and recomputed_value is null
             then 'not recomputable: ' || coalesce({{ annual_growth_note('end_value', 'base_value', 'end_year - base_year') }},
                                                   'base or end value missing') end,
        case when printed_value is not null and recomputed_value is not null
                  and abs(printed_value - recomputed_value) > tolerance + 1e-9
             then 'printed ' || printed_text || ', recomputed ' || cast(round(recomputed_value, cast(printed_decimals + 2 as integer)) as varchar)
                  || ' from ' || base_value || ' (' || base_year || ') and ' || end_value || ' (' || end_year || ')' end
    ), '') as note,
    source_file,
    source_sheet,
    source_cell,
    input_cells
from recomputed
