-- The park registry as the build knows it: the bundled seed (seeds/common/park_registry.csv), the
-- registry sheets (园区登记表) loaded from the inbox (the latest value of each attribute), and the
-- operator's registry file (PARKS_REGISTRY). Attribute by attribute, the operator's file wins, then
-- the inbox, then the bundled seed; aliases from all three are kept.
with bundled as (
    select park_name, aliases, park_type, planning_base_year, region_class, dominant_industry, currency,
           'bundled registry: ' || source as source, 3 as priority
    from {{ ref('park_registry') }}
),
outside as (
    select park_name, aliases, park_type, planning_base_year, region_class, dominant_industry, currency,
           'PARKS_REGISTRY: ' || coalesce(source, '') as source, 1 as priority
    from {{ source('build', 'park_registry_extra') }}
),
submitted_values as (
    select park_name_as_written as park_name, label_key as attribute, value, value_text,
           source_file || '!' || source_sheet || '!' || source_cell as cell
    from {{ ref('stg_raw__observations') }}
    where template = 'registry'
    qualify row_number() over (partition by park_key, label_key order by load_seq desc, row_no) = 1
),
submitted as (
    select park_name,
           max(value_text) filter (where attribute = 'aliases') as aliases,
           max(value_text) filter (where attribute = 'park_type') as park_type,
           cast(max(value) filter (where attribute = 'planning_base_year') as integer) as planning_base_year,
           max(value_text) filter (where attribute = 'region_class') as region_class,
           max(value_text) filter (where attribute = 'dominant_industry') as dominant_industry,
           null as currency,
           'registry sheet: ' || string_agg(cell, ', ' order by cell) as source,
           2 as priority
    from submitted_values
    group by park_name
),
everything as (
    select *, {{ name_key('park_name') }} as park_key from (
        select * from bundled union all by name select * from outside union all by name select * from submitted)
)
select
    arg_min(park_name, priority) as park_name,
    nullif(array_to_string(list_sort(list_distinct(list_filter(
        string_split(string_agg(aliases, '|'), '|'), lambda x: trim(x) <> ''))), '|'), '') as aliases,
    arg_min(park_type, priority) filter (where park_type is not null) as park_type,
    arg_min(planning_base_year, priority) filter (where planning_base_year is not null) as planning_base_year,
    arg_min(region_class, priority) filter (where region_class is not null) as region_class,
    arg_min(dominant_industry, priority) filter (where nullif(trim(dominant_industry), '') is not null) as dominant_industry,
    arg_min(currency, priority) filter (where currency is not null) as currency,
    string_agg(source, ' | ' order by priority) as source
from everything
group by park_key
