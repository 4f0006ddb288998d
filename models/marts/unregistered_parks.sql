-- Parks seen in submissions but in no registry (bundled seed, a registry sheet in the inbox, or
-- PARKS_REGISTRY): what the registry would have said, and which indicators are judged without it.
-- An indicator needs the region class when one of its threshold rules is by region class; it needs
-- the plan base year when its formula reaches back to the base year and the form does not state it.
with unregistered as (
    select park_name, names_as_written, n_figures from {{ ref('parks') }} where not registered
),
needs as (
    select distinct system_code, indicator_code, 'region class' as need
    from {{ ref('int_system_thresholds') }} where condition = 'region_class'
    union
    select distinct system_code, indicator_code, 'plan base year' as need
    from {{ ref('int_system_formulas') }} where reference = 'base'
),
unjudged as (
    select a.park_name, a.system_code, a.indicator_code, a.year, n.need
    from {{ ref('system_assessment') }} a
    join needs n on n.system_code = a.system_code and n.indicator_code = a.indicator_code
    where a.park_name in (select park_name from unregistered)
      and a.status = 'not_assessable'
      and (n.need = 'region class' or a.base_year is null)
)
select
    u.park_name,
    u.names_as_written,
    u.n_figures,
    coalesce(string_agg(distinct j.need, ', ' order by j.need), 'region class, plan base year') as missing,
    string_agg(distinct j.system_code || ' ' || j.indicator_code || ' (' || j.year || ')', ', '
               order by j.system_code || ' ' || j.indicator_code || ' (' || j.year || ')') as unjudged_indicators,
    count(distinct (j.system_code, j.indicator_code, j.year)) as n_unjudged,
    u.park_name || ' is in no park registry: ' || coalesce(string_agg(distinct j.need, ' and ' order by j.need),
        'region class and plan base year') || ' unknown'
        || coalesce('; left unjudged: ' || string_agg(distinct j.system_code || ' ' || j.indicator_code || ' ' || j.year, ', '
                                                      order by j.system_code || ' ' || j.indicator_code || ' ' || j.year), '')
        || '. Register it: a registry sheet in INBOX, or a row in PARKS_REGISTRY.' as finding
from unregistered u
left join unjudged j on j.park_name = u.park_name
group by u.park_name, u.names_as_written, u.n_figures
