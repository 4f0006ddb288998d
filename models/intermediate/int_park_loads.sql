{{ config(materialized='incremental', on_schema_change='sync_all_columns') }}
-- Which loads (files, by load order) hold cells of which park key. Cells are stored in load order, so a
-- model that reads one park's cells filters on these loads first and DuckDB skips every row group of
-- the other loads, instead of reading the park key of all 5.7M cells of a national history.
-- A night adds the loads of its files; a load whose file is rejected later loses its cells and keeps
-- its rows here, which select nothing.
select distinct o.park_key, o.load_seq
from {{ ref('stg_raw__observations') }} o
where o.park_key is not null
{%- if is_incremental() %}
  and o.load_seq in {{ night_loads() }}
  and o.load_seq not in (select load_seq from {{ this }})
{%- endif %}
