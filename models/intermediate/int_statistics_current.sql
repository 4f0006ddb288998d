{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Current yearly statistics, one figure per (park, year, indicator). Rebuilt park by park.
-- growth_of: for a reported growth row ('地区生产总值增速', unit %), the indicator it is the growth
-- of, recognised once here (seed target_phrases, growth_row_suffix) so that the targets and plans
-- join on it instead of matching a pattern against every figure every night.
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
    load_seq,
    case when coalesce(unit, '%') = '%' and regexp_matches(label_key, {{ phrases('growth_row_suffix') }} || '$')
         then regexp_replace(label_key, {{ phrases('growth_row_suffix') }} || '$', '') end as growth_of
from {{ ref('int_observations_admitted') }}
where template = 'statistics' and {{ changed_parks_only() }}
-- two spellings of one park in one file can still give the same figure twice: the first cell wins
qualify row_number() over (partition by park_name, year, label_key order by load_seq desc, source_sheet, row_no, col_no) = 1
