-- One row per current HJ 274 form (park, data year), with the park's planning base year and region.
with forms as (
    select park_name, year, max(planning_base_year) as form_base_year,
           arg_max(source_file, load_seq) as source_file, arg_max(source_sheet, load_seq) as source_sheet
    from {{ ref('int_observations_admitted') }}
    where template = 'eip_form'
    group by park_name, year
)
select
    f.park_name,
    f.year,
    coalesce(f.form_base_year, r.planning_base_year) as base_year,
    case when f.form_base_year is not null then 'form' when r.planning_base_year is not null then 'park_registry' end
        as base_year_source,
    f.year - coalesce(f.form_base_year, r.planning_base_year) as years_since_base,
    r.region_class,
    nullif(trim(r.dominant_industry), '') as dominant_industry,
    f.source_file,
    f.source_sheet
from forms f
left join {{ ref('int_park_registry') }} r on r.park_name = f.park_name
