{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Current yearly statistics, one figure per (park, year, indicator). Rebuilt park by park.
select
    park_name,
    year,
    label_key as indicator_name,
    label,
    unit,
    value,
    value_text,
    value_kind,
    note,
    coalesce(note is not null and exists (select 1 from {{ ref('cell_vocabulary') }} v
                                          where v.kind = 'preliminary' and contains(note, v.phrase)), false) as is_preliminary,
    source_file,
    source_sheet,
    source_cell,
    load_seq
from {{ ref('int_observations_admitted') }}
where template = 'statistics' and {{ changed_parks_only() }}
-- two spellings of one park in one file can still give the same figure twice: the first cell wins
qualify row_number() over (partition by park_name, year, label_key order by load_seq desc, source_sheet, row_no, col_no) = 1
