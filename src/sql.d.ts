// Text imports of SQL migration files (`with { type: "text" }`), see store/migrations.gen.ts.
declare module "*.sql" {
  const text: string;
  export default text;
}
