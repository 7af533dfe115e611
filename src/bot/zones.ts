/**
 * Timezones a learner can pick with one tap, and the zone of a shared location: the zone of the
 * nearest city in a fixed table (no lookup service, nothing stored). Far from every city in the
 * table (open sea, Antarctica) the zone is the whole-hour offset of the longitude.
 */

/**
 * The zones offered as buttons, west to east. Buttons carry an index into this list
 * (`S:z:<index>`), so it is append-only: never reorder or remove an entry.
 */
export const ZONES: readonly { tz: string; label: string }[] = [
  { tz: "Pacific/Honolulu", label: "Honolulu" },
  { tz: "America/Los_Angeles", label: "Los Angeles" },
  { tz: "America/Denver", label: "Denver" },
  { tz: "America/Chicago", label: "Chicago" },
  { tz: "America/Mexico_City", label: "Mexico City" },
  { tz: "America/New_York", label: "New York" },
  { tz: "America/Bogota", label: "Bogotá" },
  { tz: "America/Sao_Paulo", label: "São Paulo" },
  { tz: "America/Argentina/Buenos_Aires", label: "Buenos Aires" },
  { tz: "UTC", label: "UTC" },
  { tz: "Europe/London", label: "London" },
  { tz: "Europe/Lisbon", label: "Lisbon" },
  { tz: "Africa/Lagos", label: "Lagos" },
  { tz: "Europe/Paris", label: "Paris" },
  { tz: "Europe/Berlin", label: "Berlin" },
  { tz: "Europe/Vienna", label: "Vienna" },
  { tz: "Africa/Cairo", label: "Cairo" },
  { tz: "Africa/Johannesburg", label: "Johannesburg" },
  { tz: "Europe/Athens", label: "Athens" },
  { tz: "Europe/Kyiv", label: "Kyiv" },
  { tz: "Europe/Istanbul", label: "Istanbul" },
  { tz: "Europe/Moscow", label: "Moscow" },
  { tz: "Africa/Nairobi", label: "Nairobi" },
  { tz: "Asia/Dubai", label: "Dubai" },
  { tz: "Asia/Karachi", label: "Karachi" },
  { tz: "Asia/Kolkata", label: "India" },
  { tz: "Asia/Dhaka", label: "Dhaka" },
  { tz: "Asia/Bangkok", label: "Bangkok" },
  { tz: "Asia/Jakarta", label: "Jakarta" },
  { tz: "Asia/Shanghai", label: "China" },
  { tz: "Asia/Singapore", label: "Singapore" },
  { tz: "Asia/Tokyo", label: "Tokyo" },
  { tz: "Australia/Sydney", label: "Sydney" },
  { tz: "Pacific/Auckland", label: "Auckland" },
];

/** Cities for a shared location: [name, latitude, longitude, zone]. */
export const CITIES: readonly (readonly [string, number, number, string])[] = [
  ["Honolulu", 21.31, -157.86, "Pacific/Honolulu"],
  ["Anchorage", 61.22, -149.9, "America/Anchorage"],
  ["Vancouver", 49.28, -123.12, "America/Vancouver"],
  ["Los Angeles", 34.05, -118.24, "America/Los_Angeles"],
  ["San Francisco", 37.77, -122.42, "America/Los_Angeles"],
  ["Seattle", 47.61, -122.33, "America/Los_Angeles"],
  ["Phoenix", 33.45, -112.07, "America/Phoenix"],
  ["Denver", 39.74, -104.99, "America/Denver"],
  ["Calgary", 51.05, -114.07, "America/Edmonton"],
  ["Mexico City", 19.43, -99.13, "America/Mexico_City"],
  ["Chicago", 41.88, -87.63, "America/Chicago"],
  ["Houston", 29.76, -95.37, "America/Chicago"],
  ["Winnipeg", 49.9, -97.14, "America/Winnipeg"],
  ["Guatemala City", 14.63, -90.51, "America/Guatemala"],
  ["New York", 40.71, -74.01, "America/New_York"],
  ["Toronto", 43.65, -79.38, "America/Toronto"],
  ["Miami", 25.76, -80.19, "America/New_York"],
  ["Havana", 23.11, -82.37, "America/Havana"],
  ["Bogotá", 4.71, -74.07, "America/Bogota"],
  ["Lima", -12.05, -77.04, "America/Lima"],
  ["Caracas", 10.48, -66.9, "America/Caracas"],
  ["Halifax", 44.65, -63.57, "America/Halifax"],
  ["St. John's", 47.56, -52.71, "America/St_Johns"],
  ["Santiago", -33.45, -70.67, "America/Santiago"],
  ["La Paz", -16.5, -68.15, "America/La_Paz"],
  ["Buenos Aires", -34.6, -58.38, "America/Argentina/Buenos_Aires"],
  ["São Paulo", -23.55, -46.63, "America/Sao_Paulo"],
  ["Recife", -8.05, -34.88, "America/Recife"],
  ["Nuuk", 64.18, -51.69, "America/Nuuk"],
  ["Reykjavík", 64.15, -21.94, "Atlantic/Reykjavik"],
  ["Azores", 37.74, -25.68, "Atlantic/Azores"],
  ["Dakar", 14.72, -17.47, "Africa/Dakar"],
  ["Lisbon", 38.72, -9.14, "Europe/Lisbon"],
  ["Casablanca", 33.57, -7.59, "Africa/Casablanca"],
  ["Dublin", 53.35, -6.26, "Europe/Dublin"],
  ["London", 51.51, -0.13, "Europe/London"],
  ["Accra", 5.6, -0.19, "Africa/Accra"],
  ["Madrid", 40.42, -3.7, "Europe/Madrid"],
  ["Paris", 48.86, 2.35, "Europe/Paris"],
  ["Algiers", 36.75, 3.06, "Africa/Algiers"],
  ["Lagos", 6.52, 3.38, "Africa/Lagos"],
  ["Amsterdam", 52.37, 4.9, "Europe/Amsterdam"],
  ["Brussels", 50.85, 4.35, "Europe/Brussels"],
  ["Oslo", 59.91, 10.75, "Europe/Oslo"],
  ["Tunis", 36.81, 10.18, "Africa/Tunis"],
  ["Rome", 41.9, 12.5, "Europe/Rome"],
  ["Berlin", 52.52, 13.4, "Europe/Berlin"],
  ["Vienna", 48.21, 16.37, "Europe/Vienna"],
  ["Stockholm", 59.33, 18.07, "Europe/Stockholm"],
  ["Kinshasa", -4.44, 15.27, "Africa/Kinshasa"],
  ["Warsaw", 52.23, 21.01, "Europe/Warsaw"],
  ["Belgrade", 44.79, 20.45, "Europe/Belgrade"],
  ["Cape Town", -33.92, 18.42, "Africa/Johannesburg"],
  ["Johannesburg", -26.2, 28.05, "Africa/Johannesburg"],
  ["Helsinki", 60.17, 24.94, "Europe/Helsinki"],
  ["Athens", 37.98, 23.73, "Europe/Athens"],
  ["Bucharest", 44.43, 26.1, "Europe/Bucharest"],
  ["Kyiv", 50.45, 30.52, "Europe/Kyiv"],
  ["Minsk", 53.9, 27.57, "Europe/Minsk"],
  ["Istanbul", 41.01, 28.98, "Europe/Istanbul"],
  ["Cairo", 30.04, 31.24, "Africa/Cairo"],
  ["Khartoum", 15.5, 32.56, "Africa/Khartoum"],
  ["Moscow", 55.76, 37.62, "Europe/Moscow"],
  ["Nairobi", -1.29, 36.82, "Africa/Nairobi"],
  ["Addis Ababa", 9.03, 38.74, "Africa/Addis_Ababa"],
  ["Jerusalem", 31.77, 35.21, "Asia/Jerusalem"],
  ["Riyadh", 24.71, 46.68, "Asia/Riyadh"],
  ["Baghdad", 33.31, 44.36, "Asia/Baghdad"],
  ["Tehran", 35.69, 51.39, "Asia/Tehran"],
  ["Dubai", 25.2, 55.27, "Asia/Dubai"],
  ["Baku", 40.41, 49.87, "Asia/Baku"],
  ["Kabul", 34.56, 69.21, "Asia/Kabul"],
  ["Tashkent", 41.3, 69.24, "Asia/Tashkent"],
  ["Karachi", 24.86, 67.0, "Asia/Karachi"],
  ["Yekaterinburg", 56.84, 60.6, "Asia/Yekaterinburg"],
  ["Delhi", 28.61, 77.21, "Asia/Kolkata"],
  ["Mumbai", 19.08, 72.88, "Asia/Kolkata"],
  ["Colombo", 6.93, 79.86, "Asia/Colombo"],
  ["Kathmandu", 27.72, 85.32, "Asia/Kathmandu"],
  ["Almaty", 43.24, 76.89, "Asia/Almaty"],
  ["Dhaka", 23.81, 90.41, "Asia/Dhaka"],
  ["Novosibirsk", 55.01, 82.93, "Asia/Novosibirsk"],
  ["Yangon", 16.87, 96.2, "Asia/Yangon"],
  ["Bangkok", 13.76, 100.5, "Asia/Bangkok"],
  ["Hanoi", 21.03, 105.85, "Asia/Bangkok"],
  ["Jakarta", -6.21, 106.85, "Asia/Jakarta"],
  ["Kuala Lumpur", 3.14, 101.69, "Asia/Kuala_Lumpur"],
  ["Singapore", 1.35, 103.82, "Asia/Singapore"],
  ["Ulaanbaatar", 47.89, 106.91, "Asia/Ulaanbaatar"],
  ["Beijing", 39.9, 116.41, "Asia/Shanghai"],
  ["Shanghai", 31.23, 121.47, "Asia/Shanghai"],
  ["Chengdu", 30.57, 104.07, "Asia/Shanghai"],
  ["Hong Kong", 22.32, 114.17, "Asia/Hong_Kong"],
  ["Taipei", 25.03, 121.57, "Asia/Taipei"],
  ["Manila", 14.6, 120.98, "Asia/Manila"],
  ["Perth", -31.95, 115.86, "Australia/Perth"],
  ["Seoul", 37.57, 126.98, "Asia/Seoul"],
  ["Tokyo", 35.68, 139.69, "Asia/Tokyo"],
  ["Vladivostok", 43.12, 131.89, "Asia/Vladivostok"],
  ["Darwin", -12.46, 130.84, "Australia/Darwin"],
  ["Adelaide", -34.93, 138.6, "Australia/Adelaide"],
  ["Brisbane", -27.47, 153.03, "Australia/Brisbane"],
  ["Sydney", -33.87, 151.21, "Australia/Sydney"],
  ["Melbourne", -37.81, 144.96, "Australia/Melbourne"],
  ["Port Moresby", -9.44, 147.18, "Pacific/Port_Moresby"],
  ["Nouméa", -22.28, 166.46, "Pacific/Noumea"],
  ["Auckland", -36.85, 174.76, "Pacific/Auckland"],
  ["Fiji", -18.14, 178.44, "Pacific/Fiji"],
];

/** Beyond this distance from every city in the table, the longitude decides. */
export const NEAR_KM = 1500;

/** Great-circle distance in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export type ZoneFromLocation = { tz: string; city: string; km: number } | { tz: string; city?: undefined; km: number };

/** The zone for a location: the nearest table city's, or (beyond NEAR_KM) the longitude's whole-hour offset. */
export function zoneForLocation(lat: number, lon: number): ZoneFromLocation | null {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  let best: (typeof CITIES)[number] = CITIES[0]!;
  let bestKm = Infinity;
  for (const c of CITIES) {
    const km = distanceKm(lat, lon, c[1], c[2]);
    if (km < bestKm) [best, bestKm] = [c, km];
  }
  if (bestKm <= NEAR_KM) return { tz: best[3], city: best[0], km: Math.round(bestKm) };
  const h = Math.max(-12, Math.min(12, Math.round(lon / 15)));
  return { tz: h === 0 ? "UTC" : `${h < 0 ? "-" : "+"}${String(Math.abs(h)).padStart(2, "0")}:00`, km: Math.round(bestKm) };
}
