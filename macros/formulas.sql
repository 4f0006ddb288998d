{#- The formulas of domain.md, once each. Every macro returns NULL (never an error, never 0) when the
    result is undefined; the *_note macros say why, for the `note` columns. Covered by the unit tests
    of models/utilities/formula_harness. -#}

{% macro safe_divide(numerator, denominator) -%}
    (case when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
          else ({{ numerator }})::double / ({{ denominator }}) end)
{%- endmacro %}

{#- Annual average growth over n years, as a fraction: (end / start)^(1/n) − 1. Undefined when the
    start is not positive, the end is negative or n is not positive. -#}
{% macro annual_growth(end_value, start_value, years) -%}
    (case when ({{ start_value }}) is null or ({{ end_value }}) is null or ({{ years }}) is null then null
          when ({{ start_value }}) <= 0 or ({{ end_value }}) < 0 or ({{ years }}) <= 0 then null
          else pow(({{ end_value }})::double / ({{ start_value }}), 1.0 / ({{ years }})) - 1 end)
{%- endmacro %}

{% macro annual_growth_note(end_value, start_value, years) -%}
    (case when ({{ start_value }}) is null then 'start value missing'
          when ({{ end_value }}) is null then 'end value missing'
          when ({{ years }}) is null or ({{ years }}) <= 0 then 'no years between start and end'
          when ({{ start_value }}) <= 0 then 'start value is zero or negative: growth undefined'
          when ({{ end_value }}) < 0 then 'end value is negative: growth undefined'
     end)
{%- endmacro %}

{#- Year-on-year growth as a fraction: (current − previous) / previous; undefined for a previous
    value that is not positive. -#}
{% macro yoy_growth(current_value, previous_value) -%}
    (case when ({{ previous_value }}) is null or ({{ previous_value }}) <= 0 then null
          else (({{ current_value }}) - ({{ previous_value }}))::double / ({{ previous_value }}) end)
{%- endmacro %}

{#- Elasticity coefficient: growth of X / growth of value added (both annual averages). -#}
{% macro elasticity(x_growth, va_growth) -%}
    {{ safe_divide(x_growth, va_growth) }}
{%- endmacro %}

{#- Annual average reduction rate as a fraction: 1 − (end / start)^(1/n). -#}
{% macro annual_reduction(end_value, start_value, years) -%}
    (- {{ annual_growth(end_value, start_value, years) }})
{%- endmacro %}

{#- Share of the way from base to target: (latest − base) / (target − base). -#}
{% macro plan_progress(latest_value, base_value, target_value) -%}
    {{ safe_divide('(' ~ latest_value ~ ') - (' ~ base_value ~ ')', '(' ~ target_value ~ ') - (' ~ base_value ~ ')') }}
{%- endmacro %}

{#- Annual growth still needed from the latest value to reach the target in the remaining years. -#}
{% macro required_rate(target_value, latest_value, years_left) -%}
    {{ annual_growth(target_value, latest_value, years_left) }}
{%- endmacro %}

{#- Is `value` on the good side of `threshold`? comparator: >=, >, <=, <, =, ≈ (within tolerance). -#}
{% macro meets(value, comparator, threshold, tolerance=0) -%}
    (case when ({{ value }}) is null or ({{ threshold }}) is null then null
          when ({{ comparator }}) = '>=' then ({{ value }}) >= ({{ threshold }}) - 1e-9
          when ({{ comparator }}) = '>'  then ({{ value }}) > ({{ threshold }})
          when ({{ comparator }}) = '<=' then ({{ value }}) <= ({{ threshold }}) + 1e-9
          when ({{ comparator }}) = '<'  then ({{ value }}) < ({{ threshold }})
          when ({{ comparator }}) = '='  then abs(({{ value }}) - ({{ threshold }})) <= 1e-9
          when ({{ comparator }}) = '≈'  then abs(({{ value }}) - ({{ threshold }})) <= ({{ tolerance }}) + 1e-9
     end)
{%- endmacro %}

{#- Gap to pass (docs/domain.md#gap): the value of the component at which the indicator meets its
    threshold, the other components held fixed. kind: the formula kind; comparator/threshold: the
    requirement; num/den: the components now (and at the reference year), multiplier the formula's. -#}
{% macro gap_pass_value(kind, threshold, multiplier, num_cur, den_cur, num_ref, den_ref, ref_years, base_years, driver_growth) -%}
    (case {{ kind }}
        when 'ratio' then ({{ threshold }}) / ({{ multiplier }}) * ({{ den_cur }})
        when 'reported' then ({{ threshold }})
        when 'growth' then ({{ num_ref }}) * pow(1 + ({{ threshold }}) / ({{ multiplier }}), {{ ref_years }})
        when 'growth_of_ratio' then {{ safe_divide(num_ref, den_ref) }} * pow(1 + ({{ threshold }}) / ({{ multiplier }}), {{ ref_years }}) * ({{ den_cur }})
        when 'elasticity' then ({{ num_ref }}) * pow(1 + ({{ threshold }}) * ({{ driver_growth }}), {{ base_years }})
        when 'reduction' then {{ safe_divide(num_ref, den_ref) }} * pow(1 - ({{ threshold }}) / ({{ multiplier }}), {{ base_years }}) * ({{ den_cur }})
    end)
{%- endmacro %}

{#- A number for a sentence: thousands separated, decimals as the size needs. -#}
{% macro fmt_number(x) -%}
    (case when ({{ x }}) is null then 'n/a'
          when abs({{ x }}) >= 100 then format('{:,.0f}', {{ x }})
          when abs({{ x }}) >= 1 then format('{:,.2f}', {{ x }})
          else format('{:.4g}', {{ x }}) end)
{%- endmacro %}
