{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park.
-- HJ 274-2015: every indicator of every current form (32 rows per park-year), judged against its
-- requirement whatever the selection. A view of the generic system evaluation (system_assessment,
-- system hj274_2015) with the columns this mart has always had. `value` is the recomputed value when
-- the components exist, else the reported one.
with a as (
    select * from {{ ref('system_assessment') }} where system_code = 'hj274_2015' and {{ changed_parks_only('park_name') }}
),
requirements as (
    -- the requirement as the standard states it, for forms that leave it out
    select indicator_code,
           string_agg(coalesce(case when condition in ('region_class', 'driver_growth') then condition_value || ': ' end, '')
                      || case when comparator = 'marker' then replace(pass_markers, '|', '/') else comparator || threshold end,
                      '; ' order by condition_value) as text
    from {{ ref('int_system_thresholds') }} where system_code = 'hj274_2015'
    group by all
)
select
    a.park_name,
    a.year,
    a.seq_no,
    a.category,
    a.indicator_name,
    a.unit,
    coalesce(a.requirement_as_written, r.text) as requirement,
    a.role = 'mandatory' as mandatory,
    a.counted as selected,
    a.reported_value,
    a.computed_value,
    a.value,
    a.passed,
    a.note,
    a.value_text,
    a.driver_growth as va_growth,
    a.base_year,
    a.comparator,
    a.threshold,
    a.status,
    a.gap_component,
    a.gap_current_value,
    a.gap_pass_value,
    a.gap_unit,
    a.source_file,
    a.source_sheet,
    a.source_cell,
    a.input_cells
from a
left join requirements r on r.indicator_code = a.indicator_code
