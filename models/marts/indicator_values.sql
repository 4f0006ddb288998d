{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Every current figure, reported or computed, traceable to its cell: the values of the forms and
-- the yearly statistics as reported (converted nowhere: unit as written), every indicator of every
-- system computed from its components (system_code says which), and the indicators derived from
-- statistics.
with reported as (
    select
        park_name, year, label_key as indicator_name, unit, value, value_text, false as is_computed,
        source_file, source_sheet, source_cell, template, value_kind, seq_no,
        coalesce(note is not null and exists (select 1 from {{ ref('cell_vocabulary') }} v
                                              where v.kind = 'preliminary' and contains(note, v.phrase)), false)
            as is_preliminary,
        cast(null as varchar) as derived_from,
        case when is_masked then 'masked in the source' end as note,
        cast(null as varchar) as system_code
    from {{ ref('int_observations_admitted') }}
    where template in ('eip_form', 'statistics') and value_kind <> 'blank' and {{ changed_parks_only() }}
),
system_computed as (
    -- every indicator a system computes from its components, with the cells it was computed from
    select
        a.park_name, a.year, a.indicator_name, a.unit, a.computed_value as value, null as value_text, true as is_computed,
        a.source_file, a.source_sheet, null as source_cell,
        case when a.seq_no is not null and a.system_code in (select system_code from {{ ref('int_system_component_defs') }}
                                                              where found_in = 'form') then 'eip_form' else 'statistics' end as template,
        'number' as value_kind, a.seq_no, false as is_preliminary, a.input_cells as derived_from, a.note, a.system_code
    from {{ ref('system_assessment') }} a
    where a.computed_value is not null and {{ changed_parks_only('a.park_name') }}
),
derived as (
    select
        park_name, year, indicator_name, unit, value, null as value_text, true as is_computed,
        null as source_file, null as source_sheet, null as source_cell, 'statistics' as template,
        'number' as value_kind, null as seq_no, is_preliminary, derived_from, note, cast(null as varchar) as system_code
    from {{ ref('int_indicator_series_derived') }}
    where value is not null and {{ changed_parks_only() }}
)
select
    md5(concat_ws('|', park_name, year, indicator_name, template, source_file, source_sheet, source_cell, is_computed,
                  system_code)) as value_id,
    *
from (
    select * from reported
    union all by name
    select * from system_computed
    union all by name
    select * from derived
)
