#version 330 core
// A light-weight replacement for pyrender's PBR fragment shader, for the avatar preview on a
// software rasteriser: vertex colour x (ambient + wrapped Lambert per directional light) plus a
// faint Blinn-Phong sheen. Uniform names match pyrender's so its renderer can drive it.
// A garment layer rides in the texture coordinates: uv_0.x is its signed coverage (0 on the
// edge, linear across each triangle), uv_0.y and uv_1 its linear RGB; it is laid over the
// vertex colour with an edge about a pixel wide, so the neckline is a clean curve.

struct DirectionalLight {
    vec3 color;
    float intensity;
    vec3 direction;
};

struct Material {
    vec3 emissive_factor;
    vec4 base_color_factor;
    float metallic_factor;
    float roughness_factor;
};

uniform Material material;
uniform DirectionalLight directional_lights[MAX_DIRECTIONAL_LIGHTS];
uniform int n_directional_lights;
uniform vec3 cam_pos;
uniform vec3 ambient_light;

in vec3 frag_position;
#ifdef NORMAL_LOC
in vec3 frag_normal;
#endif
#ifdef COLOR_0_LOC
in vec4 color_multiplier;
#endif
#ifdef TEXCOORD_0_LOC
in vec2 uv_0;
#endif
#ifdef TEXCOORD_1_LOC
in vec2 uv_1;
#endif

out vec4 frag_color;

// Light wraps this far around the terminator: skin scatters light, so shading stays soft.
const float wrap = 0.2;
const float sheen = 0.012;
const float shininess = 30.0;

void main()
{
    vec4 base = material.base_color_factor;
#ifdef COLOR_0_LOC
    base *= color_multiplier;
#endif
#ifdef TEXCOORD_1_LOC
    float edge = max(1.5 * fwidth(uv_0.x), 0.05);
    float cover = clamp(uv_0.x / edge + 0.5, 0.0, 1.0);
    base.rgb = mix(base.rgb, vec3(uv_0.y, uv_1.x, uv_1.y), cover);
#endif
    vec3 color = base.rgb * ambient_light;
#ifdef NORMAL_LOC
    vec3 n = normalize(frag_normal);
    vec3 v = normalize(cam_pos - frag_position);
    for (int i = 0; i < n_directional_lights; i++) {
        vec3 l = normalize(-directional_lights[i].direction);
        vec3 radiance = directional_lights[i].intensity * directional_lights[i].color;
        float diffuse = max((dot(n, l) + wrap) / (1.0 + wrap), 0.0);
        float specular = sheen * pow(max(dot(n, normalize(l + v)), 0.0), shininess);
        color += radiance * (base.rgb * diffuse / 3.14159265 + specular);
    }
#endif
    frag_color = clamp(vec4(pow(color, vec3(1.0 / 2.2)), base.a), 0.0, 1.0);
}
