{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Current figures under canonical park names: a later load supersedes an earlier one (forms and
-- targets per park-year, plans per park and plan, statistics figure by figure: a final figure
-- replaces a preliminary 预计 one). Superseded rows stay in raw. Rebuilt park by park.
with names as (
    select * from {{ ref('int_park_names') }} where {{ changed_parks_only('park_name') }}
),
obs as (
    select o.* exclude (park_key), n.park_name
    from {{ ref('stg_raw__observations') }} o
    join names n on n.park_key = o.park_key
)
select *
from obs
qualify load_seq = max(load_seq) over (
    partition by template, park_name,
                 case when template <> 'plan' then year end,
                 case when template = 'plan' then plan_name end,
                 case when template = 'statistics' then label_key end)
