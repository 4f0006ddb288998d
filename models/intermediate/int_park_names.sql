-- Park names as keys -> canonical name: the registry's names and aliases (seeds/park_registry.csv),
-- and every other spelling seen in raw as a park of its own (trimmed, half-width).
with registry as (
    select park_name as canonical, park_name as spelling from {{ ref('int_park_registry') }}
    union all
    select park_name, trim(alias) from {{ ref('int_park_registry') }}, unnest(string_split(coalesce(aliases, ''), '|')) t(alias)
    where trim(alias) <> ''
),
keys as (
    select distinct {{ name_key('spelling') }} as park_key, canonical from registry
)
select park_key, canonical as park_name, true as registered from keys
union all
select distinct o.park_key, o.park_key as park_name, false as registered
from {{ ref('stg_raw__observations') }} o
where o.park_key is not null and o.park_key not in (select park_key from keys)
