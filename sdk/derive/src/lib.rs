//! `#[derive(Params)]`: a plugin's parameter struct declares each parameter once.
//!
//! Every named field is a parameter of the same name. Its schema kind comes from the field's
//! type (`boundlab_sdk::ParamValue`), its documentation from the field's doc comment, and
//! `#[param(...)]` adds the rest:
//!
//! - `default = EXPR`: the value used when the caller omits it (shown by `describe`);
//! - `doc = EXPR`: a computed doc (`&str` or `String`) instead of the doc comment;
//! - `name = "R"`: the parameter's name when it is not the field's;
//! - `gt`, `ge`, `lt`, `le = EXPR`: bounds checked on decoding, with the parameter named;
//! - `renamed_from = "old"`: an earlier name, accepted with a warning for one release;
//! - `flatten`: the field is a `Params` struct whose parameters join these (shared options).
//!
//! A field without a default is required, unless its type is an `Option`.
//!
//! `#[derive(ParamEnum)]` on an enum of unit variants makes it a string option: each variant
//! is its name in snake case (`CrossEntropy` is `"cross_entropy"`), or `#[param(name = "..")]`.
//!
//! Use both through `boundlab_sdk`; this crate is an implementation detail.

#![warn(missing_docs)]

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Expr, Fields, LitStr};

/// See the crate documentation.
#[proc_macro_derive(Params, attributes(param))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// See the crate documentation.
#[proc_macro_derive(ParamEnum, attributes(param))]
pub fn derive_param_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand_enum(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand_enum(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "#[derive(ParamEnum)] needs an enum of unit variants",
        ));
    };
    let mut variants = Vec::new();
    let mut names = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(
                variant,
                "#[derive(ParamEnum)] variants carry no data",
            ));
        }
        let mut name = snake_case(&variant.ident.to_string());
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("param")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    name = meta.value()?.parse::<LitStr>()?.value();
                    Ok(())
                } else {
                    Err(meta.error("unknown #[param] option on a variant (expected name)"))
                }
            })?;
        }
        variants.push(&variant.ident);
        names.push(name);
    }
    let ident = &input.ident;
    let sdk = quote!(::boundlab_sdk);
    Ok(quote! {
        impl #sdk::ParamEnum for #ident {
            const NAMES: &'static [&'static str] = &[#(#names),*];
            fn name(&self) -> &'static str {
                match self { #(Self::#variants => #names),* }
            }
            fn from_name(name: &str) -> ::core::option::Option<Self> {
                match name {
                    #(#names => ::core::option::Option::Some(Self::#variants),)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl #sdk::ParamValue for #ident {
            const KIND: #sdk::ValueKind = #sdk::ValueKind::Str;
            fn from_param(value: #sdk::Value) -> ::core::result::Result<Self, ::std::string::String> {
                #sdk::params::enum_from_param(value)
            }
        }

        impl #sdk::params::ListElement for #ident {}

        impl ::core::convert::From<#ident> for #sdk::Value {
            fn from(option: #ident) -> Self {
                #sdk::Value::from(#sdk::ParamEnum::name(&option))
            }
        }
    })
}

/// `CrossEntropy` → `cross_entropy`, `F64` → `f64`, `NTDirection` → `nt_direction`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// What one field declares.
struct Field {
    ident: syn::Ident,
    /// The parameter's name: the field's, or `#[param(name = "..")]` (for names that are not
    /// Rust field names, such as `R`).
    key: String,
    ty: syn::Type,
    doc: String,
    /// `#[param(doc = EXPR)]`: a computed doc (a shared constant, a `format!` naming limits),
    /// in place of the doc comment.
    doc_expr: Option<Expr>,
    default: Option<Expr>,
    /// (operator, bound) pairs: `>`, `>=`, `<`, `<=`.
    bounds: Vec<(&'static str, Expr)>,
    renamed_from: Vec<LitStr>,
    /// `#[param(flatten)]`: the field is a `Params` struct of its own.
    flatten: bool,
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "#[derive(Params)] needs a struct with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "#[derive(Params)] needs a struct with named fields",
        ));
    };
    let fields = named
        .named
        .iter()
        .map(parse_field)
        .collect::<syn::Result<Vec<_>>>()?;
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let sdk = quote!(::boundlab_sdk);

    let schema = fields.iter().map(|f| {
        let key = &f.key;
        let ty = &f.ty;
        let doc = match &f.doc_expr {
            Some(expr) => quote!(&(#expr)),
            None => {
                let text = &f.doc;
                quote!(#text)
            }
        };
        if f.flatten {
            return quote!(schema.extend(<#ty as #sdk::Params>::schema()););
        }
        let kind = quote!(<#ty as #sdk::ParamValue>::KIND);
        let mut info = match &f.default {
            Some(default) => quote!(#sdk::ParamInfo::with_default(
                #key, #kind, #sdk::Value::from(#default), #doc
            )),
            None => quote!(#sdk::ParamInfo::declared(
                #key, #kind, <#ty as #sdk::ParamValue>::absent().is_none(), #doc
            )),
        };
        for old in &f.renamed_from {
            info = quote!(#info.renamed_from(#old));
        }
        quote!(schema.push(#info);)
    });
    let names = fields.iter().map(|f| {
        let key = &f.key;
        let ty = &f.ty;
        if f.flatten {
            quote!(names.extend(<#ty as #sdk::Params>::names());)
        } else {
            quote!(names.push(#key);)
        }
    });

    let decode = fields.iter().map(|f| {
        let ident = &f.ident;
        let key = &f.key;
        let ty = &f.ty;
        if f.flatten {
            return quote!(let #ident = <#ty as #sdk::Params>::take_from(map)?;);
        }
        let missing = match &f.default {
            Some(default) => quote!(
                <#ty as #sdk::ParamValue>::from_param(#sdk::Value::from(#default))
                    .map_err(|e| #sdk::PluginError::bad_parameter(#key, e))?
            ),
            None => quote!(
                <#ty as #sdk::ParamValue>::absent().ok_or_else(|| {
                    #sdk::PluginError::bad_parameter(#key, "is required but missing")
                })?
            ),
        };
        let checks = f.bounds.iter().map(
            |(op, bound)| quote!(#sdk::params::check_bound(#key, &#ident, #op, (#bound) as f64)?;),
        );
        quote! {
            let #ident: #ty = match map.remove(#key) {
                ::core::option::Option::Some(value) => {
                    <#ty as #sdk::ParamValue>::from_param(value)
                        .map_err(|e| #sdk::PluginError::bad_parameter(#key, e))?
                }
                ::core::option::Option::None => #missing,
            };
            #(#checks)*
        }
    });
    let idents = fields.iter().map(|f| &f.ident);

    Ok(quote! {
        impl #impl_generics #sdk::Params for #name #ty_generics #where_clause {
            fn schema() -> ::std::vec::Vec<#sdk::ParamInfo> {
                let mut schema = ::std::vec::Vec::new();
                #(#schema)*
                schema
            }

            fn names() -> ::std::vec::Vec<&'static str> {
                let mut names = ::std::vec::Vec::new();
                #(#names)*
                names
            }

            fn take_from(map: &mut #sdk::ValueMap) -> #sdk::PluginResult<Self> {
                let _ = &map; // a struct without fields reads nothing
                #(#decode)*
                ::core::result::Result::Ok(Self { #(#idents),* })
            }
        }
    })
}

fn parse_field(field: &syn::Field) -> syn::Result<Field> {
    let ident = field.ident.clone().expect("named fields");
    let mut doc_lines = Vec::new();
    let mut out = Field {
        key: ident.to_string(),
        ident,
        ty: field.ty.clone(),
        doc: String::new(),
        doc_expr: None,
        default: None,
        bounds: Vec::new(),
        renamed_from: Vec::new(),
        flatten: false,
    };
    for attr in &field.attrs {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(nv) = &attr.meta {
                if let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    doc_lines.push(s.value().trim().to_string());
                }
            }
        } else if attr.path().is_ident("param") {
            attr.parse_nested_meta(|meta| {
                let op = ["gt", "ge", "lt", "le"]
                    .iter()
                    .zip([">", ">=", "<", "<="])
                    .find(|(name, _)| meta.path.is_ident(name))
                    .map(|(_, op)| op);
                if meta.path.is_ident("default") {
                    out.default = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("name") {
                    out.key = meta.value()?.parse::<LitStr>()?.value();
                } else if meta.path.is_ident("doc") {
                    out.doc_expr = Some(meta.value()?.parse()?);
                } else if let Some(op) = op {
                    out.bounds.push((op, meta.value()?.parse()?));
                } else if meta.path.is_ident("flatten") {
                    out.flatten = true;
                } else if meta.path.is_ident("renamed_from") {
                    out.renamed_from.push(meta.value()?.parse()?);
                } else {
                    return Err(meta.error(
                        "unknown #[param] option (expected default, doc, name, gt, ge, lt, le, renamed_from or flatten)",
                    ));
                }
                Ok(())
            })?;
        }
    }
    // Doc comments: lines joined into one sentence; a blank line ends the summary.
    out.doc = doc_lines
        .split(|l| l.is_empty())
        .next()
        .unwrap_or(&[])
        .join(" ");
    if out.doc.is_empty() && !out.flatten && out.doc_expr.is_none() {
        return Err(syn::Error::new_spanned(
            &field.ident,
            "a parameter needs a doc comment: it is what `describe` shows",
        ));
    }
    Ok(out)
}
