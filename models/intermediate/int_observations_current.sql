{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- depends_on: {{ ref('int_park_loads') }}
-- Current figures under canonical park names: a later load supersedes an earlier one (forms and
-- targets per park-year, plans and plan reviews per park and plan, statistics figure by figure: a final figure
-- replaces a preliminary 预计 one). Superseded rows stay in raw. Rebuilt park by park.
with names as (
    select * from {{ ref('int_park_names') }} where {{ changed_parks_only('park_name') }}
),
obs as (
    select o.* exclude (park_key), n.park_name
    from {{ ref('stg_raw__observations') }} o
    join names n on n.park_key = o.park_key
    {%- if is_incremental() %}
    -- the loads holding these parks first: DuckDB then skips the row groups of every other load
    where o.load_seq in (select l.load_seq from {{ ref('int_park_loads') }} l
                         where l.park_key in (select park_key from names))
    {%- endif %}
),
loads as (
    -- how many files hold figures of a park in a template: with one, nothing can supersede anything
    select template, park_name, count(distinct load_seq) as n_loads
    from obs
    group by template, park_name
),
single as (
    select obs.*
    from obs
    join loads l on l.template = obs.template and l.park_name = obs.park_name
    where l.n_loads = 1
),
several as (
    -- the window (which sorts whole rows) only where a later file may supersede an earlier one
    select obs.*
    from obs
    join loads l on l.template = obs.template and l.park_name = obs.park_name
    where l.n_loads > 1
    qualify obs.load_seq = max(obs.load_seq) over (
        partition by obs.template, obs.park_name,
                     case when obs.template not in ('plan', 'review') then obs.year end,
                     case when obs.template in ('plan', 'review') then obs.plan_name end,
                     case when obs.template = 'statistics' then obs.label_key end)
)
select * from single
union all
select * from several
